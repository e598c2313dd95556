"""Reading and validating catalogue files (docs/catalogue-format.md). Writes nothing.

`parse_catalogue` returns an `EditionSpec` or raises `CatalogueError` listing every problem
found, each with the file and line, so that a bad file is fixed in one round.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from keiretsu.lib.refusals import BadInput

FORMAT_VERSION = 1
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RATING_GROUPS = ("achieved", "examined", "not_applicable", "requires_reason")

TOP_KEYS = {"format", "guideline", "edition", "scale", "levels", "sections"}
GUIDELINE_KEYS = {"id", "title", "title_en", "publisher"}
EDITION_KEYS = {"id", "title", "title_en", "published", "assessed_per", "source", "attributes"}
ATTRIBUTE_KEYS = {"key", "label", "label_en"}
SCALE_KEYS = {"symbols", *RATING_GROUPS}
SYMBOL_KEYS = {"symbol", "label", "label_en", "meaning", "meaning_en", "aliases"}
LEVEL_KEYS = {"code", "title", "title_en"}
SECTION_KEYS = {"code", "title", "title_en", "description", "sections", "items"}
ITEM_TEXT_KEYS = ("title", "purpose", "requirement", "condition", "criteria", "explanation")
ITEM_KEYS = {"no", "level", "priority", "refs", "attributes", *ITEM_TEXT_KEYS}
ASSESSED_PER = ("company", "site")


class CatalogueError(BadInput):
    """A catalogue that cannot be loaded; `problems` lists every reason, each with where it is."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), problems=problems)


@dataclass
class SectionSpec:
    code: str
    title: str
    title_en: str
    description: str
    parent_code: str | None
    position: int


@dataclass
class ItemSpec:
    number: str
    section_code: str
    position: int
    level: str
    texts: dict[str, str]
    priority: bool
    refs: list[tuple[str, str]]
    attributes: dict[str, str]


@dataclass
class EditionSpec:
    guideline: dict
    edition: dict
    scale: dict
    levels: list[dict]
    sections: list[SectionSpec] = field(default_factory=list)
    items: list[ItemSpec] = field(default_factory=list)
    content_hash: str = ""
    file_name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.guideline["id"], self.edition["id"]


class _Node(dict):
    """A mapping that remembers the line of itself and of each of its keys."""

    line = 0
    key_lines: dict


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads yes/no/on/off as booleans, which would turn the item field `no:` into False.
# Catalogue files follow YAML 1.2 here: only true and false are booleans.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _plain(value):
    """The document without line bookkeeping, for the content hash."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _Checker:
    def __init__(self, file_name: str):
        self.file_name = file_name
        self.problems: list[str] = []

    def error(self, line: int, message: str):
        self.problems.append(f"{self.file_name}:{line}: {message}")

    def mapping(self, value, line, what, allowed, required=()):
        if not isinstance(value, dict):
            self.error(line, f"{what} must be a mapping")
            return None
        for key in value:
            if key not in allowed:
                self.error(value.key_lines.get(key, value.line), f"unknown field {key!r} in {what}")
        for key in required:
            if key not in value or value[key] in (None, "", [], {}):
                self.error(value.line, f"{what}: missing field {key!r}")
        return value

    def text(self, mapping, key, what, required=False):
        value = mapping.get(key)
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # Item numbers and codes may be written as plain numbers; other fields may not.
            if key in ("no", "code"):
                return str(value)
        if not isinstance(value, str):
            self.error(mapping.key_lines.get(key, mapping.line), f"{what}: {key!r} must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.error(mapping.key_lines.get(key, mapping.line), f"{what}: {key!r} is empty")
        return value

    def listing(self, mapping, key, what):
        value = mapping.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(mapping.key_lines.get(key, mapping.line), f"{what}: {key!r} must be a list")
            return []
        return value


def parse_catalogue(path: Path | str) -> EditionSpec:
    path = Path(path)
    return parse_catalogue_text(path.read_text(encoding="utf-8"), file_name=path.name)


def parse_catalogue_text(text: str, *, file_name: str) -> EditionSpec:
    check = _Checker(file_name)
    loader = _LineLoader(text)
    loader.duplicate_keys = []
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise CatalogueError([f"{file_name}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    finally:
        loader.dispose()
    for key, line in loader.duplicate_keys:
        check.error(line, f"field {key!r} appears twice")

    document = check.mapping(
        document, 1, "the file", TOP_KEYS, required=("format", "guideline", "edition", "scale", "sections")
    )
    if document is None:
        raise CatalogueError(check.problems)
    if document.get("format") not in (None, FORMAT_VERSION):
        check.error(document.key_lines["format"], f"unsupported format {document['format']!r} (expected {FORMAT_VERSION})")

    guideline = _parse_guideline(check, document.get("guideline"), document.key_lines.get("guideline", 1))
    edition = _parse_edition(check, document.get("edition"), document.key_lines.get("edition", 1))
    scale = _parse_scale(check, document.get("scale"), document.key_lines.get("scale", 1))
    levels = _parse_levels(check, document)
    spec = EditionSpec(guideline=guideline, edition=edition, scale=scale, levels=levels, file_name=file_name)
    _parse_sections(check, spec, document)
    if check.problems:
        raise CatalogueError(check.problems)
    canonical = json.dumps(_plain(document), sort_keys=True, ensure_ascii=False)
    spec.content_hash = hashlib.sha256(canonical.encode()).hexdigest()
    return spec


def _parse_guideline(check, value, line):
    value = check.mapping(value, line, "guideline", GUIDELINE_KEYS, required=("id", "title"))
    if value is None:
        return {"id": "", "title": ""}
    slug = check.text(value, "id", "guideline")
    if slug and not SLUG_RE.match(slug):
        check.error(value.key_lines["id"], f"guideline id {slug!r}: use lower-case letters, digits and '-'")
    return {
        "id": slug,
        "title": check.text(value, "title", "guideline"),
        "title_en": check.text(value, "title_en", "guideline"),
        "publisher": check.text(value, "publisher", "guideline"),
    }


def _parse_edition(check, value, line):
    value = check.mapping(value, line, "edition", EDITION_KEYS, required=("id", "title", "assessed_per"))
    if value is None:
        return {"id": "", "title": "", "assessed_per": "company", "attributes": []}
    raw_id = value.get("id")
    if raw_id is not None and not isinstance(raw_id, str):
        check.error(value.key_lines["id"], f"edition id {raw_id!r} must be text: write it in quotes")
    published = value.get("published")
    if isinstance(published, str):
        try:
            published = datetime.date.fromisoformat(published)
        except ValueError:
            check.error(value.key_lines["published"], f"edition: published {published!r} is not a date (YYYY-MM-DD)")
            published = None
    elif published is not None and not isinstance(published, datetime.date):
        check.error(value.key_lines["published"], "edition: published must be a date (YYYY-MM-DD)")
        published = None
    assessed_per = check.text(value, "assessed_per", "edition")
    if assessed_per and assessed_per not in ASSESSED_PER:
        check.error(value.key_lines["assessed_per"], f"edition: assessed_per must be one of {', '.join(ASSESSED_PER)}")
    attributes = []
    seen = set()
    for entry in check.listing(value, "attributes", "edition"):
        entry = check.mapping(entry, value.key_lines["attributes"], "an attribute", ATTRIBUTE_KEYS, required=("key", "label"))
        if entry is None:
            continue
        key = check.text(entry, "key", "attribute")
        if key in seen:
            check.error(entry.line, f"attribute {key!r} declared twice")
        seen.add(key)
        attributes.append({
            "key": key,
            "label": check.text(entry, "label", "attribute"),
            "label_en": check.text(entry, "label_en", "attribute"),
        })
    return {
        "id": raw_id.strip() if isinstance(raw_id, str) else "",
        "title": check.text(value, "title", "edition"),
        "title_en": check.text(value, "title_en", "edition"),
        "published": published,
        "assessed_per": assessed_per,
        "source": check.text(value, "source", "edition"),
        "attributes": attributes,
    }


def _parse_scale(check, value, line):
    value = check.mapping(value, line, "scale", SCALE_KEYS, required=("symbols", "achieved"))
    if value is None:
        return {"symbols": [], **{group: [] for group in RATING_GROUPS}}
    symbols = []
    spellings = {}
    for entry in check.listing(value, "symbols", "scale"):
        entry = check.mapping(entry, value.key_lines.get("symbols", line), "a rating symbol", SYMBOL_KEYS, required=("symbol", "label"))
        if entry is None:
            continue
        symbol = check.text(entry, "symbol", "rating symbol")
        aliases = [str(a) for a in check.listing(entry, "aliases", f"rating symbol {symbol}")]
        for spelling in [symbol, *aliases]:
            if spelling in spellings:
                check.error(entry.line, f"rating symbol or alias {spelling!r} is used twice in the scale")
            spellings[spelling] = symbol
        declared = {"symbol": symbol}
        for key in ("label", "label_en", "meaning", "meaning_en"):
            declared[key] = check.text(entry, key, f"rating symbol {symbol}")
        declared["aliases"] = aliases
        symbols.append(declared)
    known = {s["symbol"] for s in symbols}
    groups = {}
    for group in RATING_GROUPS:
        members = []
        for symbol in check.listing(value, group, "scale"):
            symbol = str(symbol)
            if symbol not in known:
                check.error(value.key_lines[group], f"scale: {group} lists {symbol!r}, which is not one of the scale's symbols ({' '.join(sorted(known))})")
            members.append(symbol)
        groups[group] = members
    if not groups["achieved"] and "achieved" in value:
        check.error(value.key_lines["achieved"], "scale: at least one symbol must count as achieved")
    both = set(groups["achieved"]) & set(groups["not_applicable"])
    if both:
        check.error(value.key_lines["not_applicable"], f"scale: {' '.join(sorted(both))} cannot be both achieved and not applicable")
    return {"symbols": symbols, **groups}


def _parse_levels(check, document):
    levels = []
    for entry in check.listing(document, "levels", "the file"):
        entry = check.mapping(entry, document.key_lines.get("levels", 1), "a level", LEVEL_KEYS, required=("code",))
        if entry is None:
            continue
        code = check.text(entry, "code", "level")
        if code in {level["code"] for level in levels}:
            check.error(entry.line, f"level {code!r} declared twice")
        levels.append({"code": code, "title": check.text(entry, "title", "level"), "title_en": check.text(entry, "title_en", "level")})
    return levels


def _parse_sections(check, spec, document):
    level_codes = [level["code"] for level in spec.levels]
    attribute_keys = {a["key"] for a in spec.edition["attributes"]}
    section_codes: dict[str, int] = {}
    item_numbers: dict[str, int] = {}

    def walk(entries, parent_code, line):
        if not isinstance(entries, list) or not entries:
            check.error(line, "sections must be a non-empty list")
            return
        for entry in entries:
            entry = check.mapping(entry, line, "a section", SECTION_KEYS, required=("code", "title"))
            if entry is None:
                continue
            code = check.text(entry, "code", "section")
            if code in section_codes:
                check.error(entry.line, f"section code {code!r} is used twice (first on line {section_codes[code]})")
            section_codes[code] = entry.line
            spec.sections.append(SectionSpec(
                code=code,
                title=check.text(entry, "title", f"section {code}"),
                title_en=check.text(entry, "title_en", f"section {code}"),
                description=check.text(entry, "description", f"section {code}"),
                parent_code=parent_code,
                position=len(spec.sections),
            ))
            has_items, has_sections = "items" in entry, "sections" in entry
            if has_items == has_sections:
                check.error(entry.line, f"section {code!r} must have either items or sections")
            if has_sections:
                walk(entry["sections"], code, entry.key_lines["sections"])
            if has_items:
                items = check.listing(entry, "items", f"section {code}")
                if not items:
                    check.error(entry.key_lines["items"], f"section {code!r} has no items")
                for item in items:
                    parse_item(item, code, entry.key_lines["items"])

    def parse_item(entry, section_code, line):
        entry = check.mapping(entry, line, "an item", ITEM_KEYS, required=("no",))
        if entry is None:
            return
        number = check.text(entry, "no", "item")
        where = f"item {number}"
        if number in item_numbers:
            check.error(entry.key_lines.get("no", entry.line), f"item number {number!r} is used twice (first on line {item_numbers[number]})")
        item_numbers[number] = entry.line
        texts = {key: check.text(entry, key, where) for key in ITEM_TEXT_KEYS}
        if not any(texts[key] for key in ("title", "requirement", "condition", "criteria")):
            check.error(entry.line, f"{where}: needs at least one of title, requirement, condition, criteria")
        level = check.text(entry, "level", where)
        if level_codes and not level:
            check.error(entry.line, f"{where}: missing field 'level' (one of {', '.join(level_codes)})")
        elif level and not level_codes:
            check.error(entry.key_lines["level"], f"{where}: the edition declares no levels, so items have no level")
        elif level and level not in level_codes:
            check.error(entry.key_lines["level"], f"{where}: unknown level {level!r} (one of {', '.join(level_codes)})")
        priority = entry.get("priority", False)
        if not isinstance(priority, bool):
            check.error(entry.key_lines["priority"], f"{where}: priority must be true or false")
            priority = False
        refs = []
        raw_refs = entry.get("refs") or {}
        if not isinstance(raw_refs, dict):
            check.error(entry.key_lines["refs"], f"{where}: refs must map a guideline id to item numbers")
            raw_refs = {}
        for slug, numbers in raw_refs.items():
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                check.error(raw_refs.key_lines[slug], f"{where}: {slug!r} is not a guideline id")
                continue
            if not isinstance(numbers, list) or not numbers:
                check.error(raw_refs.key_lines[slug], f"{where}: refs of {slug} must be a list of item numbers")
                continue
            for n in numbers:
                if (slug, str(n)) not in refs:
                    refs.append((slug, str(n)))
        attributes = {}
        raw_attributes = entry.get("attributes") or {}
        if not isinstance(raw_attributes, dict):
            check.error(entry.key_lines["attributes"], f"{where}: attributes must be a mapping")
            raw_attributes = {}
        for key, value in raw_attributes.items():
            if key not in attribute_keys:
                check.error(raw_attributes.key_lines[key], f"{where}: attribute {key!r} is not declared under edition.attributes")
            attributes[key] = str(value)
        spec.items.append(ItemSpec(
            number=number,
            section_code=section_code,
            position=len(spec.items),
            level=level,
            texts=texts,
            priority=priority,
            refs=refs,
            attributes=attributes,
        ))

    walk(document.get("sections"), None, document.key_lines.get("sections", 1))
