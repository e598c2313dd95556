"""The enterprise edition from JAMA's official checksheet (.xlsx). Reads; writes nothing.

The checksheet's layout is not published here, so it is read by its headings, as a person
would (headings.find_header): the header row is found wherever it is; cells merged over
several items (a label, its purpose and requirement) are carried down; item numbers written
12, "No.12", "No12" or "１２" and levels written 1, "Lv1", "LV1" or "レベル1" are understood.
The result is an EditionSpec (catalogue.loader), created by catalogue.services.edition_load
like any other edition, so the same immutability rules apply.

Before anything is created the administrator sees a preview: counts per level and per label,
and warnings when the counts are not the published 153 = 50 + 74 + 29, when an item's level
disagrees with METI's cross-reference (data/enterprise-item-levels-partial.csv), or when one
of the priority items the priority-items guide cites is missing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from keiretsu.catalogue.loader import SLUG_RE, EditionSpec, ItemSpec, SectionSpec
from keiretsu.catalogue.models import CrossReference, Edition

from . import headings
from .checksheet_import import Problem
from .workbooks import Workbook, WorkbookRefused, sha256, text

DATA_DIR = Path(__file__).resolve().parent / "data"
TEXT_FIELDS = ("title", "purpose", "requirement", "condition", "criteria", "explanation")
CARRIED = ("purpose", "requirement")  # a label's purpose and requirement span its items

JAMA_PUBLISHER = "一般社団法人 日本自動車工業会 / 一般社団法人 日本自動車部品工業会"

# The enterprise scale: ○ achieved / × not achieved / － not applicable, with the spellings
# people type in Excel (checked by Scale.normalise, after NFKC).
ENTERPRISE_SCALE = {
    "symbols": [
        {
            "symbol": "○", "label": "達成", "label_en": "Achieved",
            "meaning": "達成条件を満たしている", "meaning_en": "The achievement condition is met",
            "aliases": ["〇", "◯", "o", "O", "達成"],
        },
        {
            "symbol": "×", "label": "未達成", "label_en": "Not achieved",
            "meaning": "達成条件を満たしていない", "meaning_en": "The achievement condition is not met",
            "aliases": ["✕", "✖", "x", "X", "未達成"],
        },
        {
            "symbol": "－", "label": "対象外", "label_en": "Not applicable",
            "meaning": "項目の対象となる業務・設備・情報がない", "meaning_en": "Nothing in the company that the item applies to",
            "aliases": ["-", "ー", "—", "‐", "−", "N/A", "n/a", "NA", "対象外"],
        },
    ],
    "achieved": ["○"],
    "examined": ["○"],
    "not_applicable": ["－"],
    "requires_reason": [],
}

ENTERPRISE_LEVELS = [
    {"code": "Lv1", "title": "自動車産業として最低限実装すべき項目（規模・扱っている情報に因らず必須）",
     "title_en": "The minimum for every company in the industry"},
    {"code": "Lv2", "title": "顧客情報・取引先技術情報を取扱う会社が達成すべき項目（業界推奨）",
     "title_en": "For companies handling customer and partner information (the industry's target)"},
    {"code": "Lv3", "title": "模範レベル（ベストプラクティス）：完成車メーカ・大規模Tier1 等",
     "title_en": "Best practice: OEMs, large Tier 1s and companies with advanced know-how"},
]


@dataclass(frozen=True)
class Preset:
    guideline: dict
    edition_title: str
    edition_title_en: str
    scale: dict
    levels: list
    expected: dict[str, int]  # "total" and per level code
    reference_file: str  # levels known from another source, to cross-check
    priority_source: str  # the guideline whose cross-references name the priority items


PRESETS = {
    "jama-enterprise": Preset(
        guideline={
            "id": "jama-enterprise",
            "title": "自工会/部工会・サイバーセキュリティガイドライン",
            "title_en": "JAMA/JAPIA Cybersecurity Guidelines",
            "publisher": JAMA_PUBLISHER,
        },
        edition_title="エンタープライズ版 %(code)s版",
        edition_title_en="Enterprise edition %(code)s",
        scale=ENTERPRISE_SCALE,
        levels=ENTERPRISE_LEVELS,
        expected={"total": 153, "Lv1": 50, "Lv2": 74, "Lv3": 29},
        reference_file="enterprise-item-levels-partial.csv",
        priority_source="jama-priority-items",
    ),
}


@dataclass
class EditionPreview:
    file_name: str
    sha256: str
    guideline: str
    edition: str
    spec: EditionSpec | None = None
    sheet: str = ""
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> heading (column letter)
    by_level: dict[str, int] = field(default_factory=dict)
    by_label: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    level_disagreements: list[dict] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    joined_rows: int = 0
    state: str = "new"  # new | unchanged (already loaded with this content)

    @property
    def total(self) -> int:
        return len(self.spec.items) if self.spec else 0

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "guideline": self.guideline,
            "edition": self.edition,
            "title": self.spec.edition["title"] if self.spec else "",
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": self.columns,
            "total": self.total,
            "by_level": self.by_level,
            "by_label": self.by_label,
            "warnings": self.warnings,
            "level_disagreements": self.level_disagreements,
            "priority": self.priority,
            "joined_rows": self.joined_rows,
            "state": self.state,
        }


@cache
def reference_levels(file_name: str) -> dict[str, tuple[frozenset[str], str]]:
    """Item number -> (the levels METI's cross-reference gives it, how sure that is)."""
    levels = {}
    with open(DATA_DIR / file_name, encoding="utf-8", newline="") as source:
        for row in csv.DictReader(line for line in source if not line.startswith("#")):
            levels[row["jama_no"]] = (frozenset(row["level"].split("/")), row["level_evidence"])
    return levels


def priority_numbers(source_slug: str, target_slug: str) -> tuple[list[str], Edition | None]:
    """The item numbers of `target_slug` that the newest loaded edition of `source_slug` cites, and that edition."""
    source = Edition.objects.select_related("guideline").filter(guideline__slug=source_slug).order_by("-loaded_at").first()
    if source is None:
        return [], None
    numbers = CrossReference.objects.filter(item__edition=source, guideline_slug=target_slug).values_list("number", flat=True)
    return sorted(set(numbers), key=_number_key), source


# "1 方針", "１．方針", "3) 体制": a label cell that starts with its own number.
NUMBERED_LABEL = re.compile(r"^\s*([0-9０-９]{1,3})(?:[\s\u3000]+|[.．:：、)）]\s*)(\S.*)$", re.DOTALL)


def _numbered_label(label: str) -> tuple[str, str]:
    """(the label's own number, or "", its title without the number)."""
    match = NUMBERED_LABEL.match(label)
    if not match:
        return "", label.strip()
    return unicodedata.normalize("NFKC", match.group(1)).lstrip("0") or "0", match.group(2).strip()


def _number_key(number: str):
    return tuple(int(part) if part.isdigit() else 0 for part in number.replace(".", "-").split("-"))


@dataclass
class _Row:
    number: str
    row: int
    label: str
    level_raw: object
    texts: dict[str, str]


def read_official_checksheet(
    data: bytes, *, file_name: str, guideline: str, edition: str, title: str = "", published: datetime.date | None = None
) -> EditionPreview:
    preview = EditionPreview(file_name=file_name, sha256=sha256(data), guideline=guideline, edition=edition)
    preset = PRESETS.get(guideline)
    if preset is None or not SLUG_RE.match(guideline):
        known = ", ".join(sorted(PRESETS))
        preview.problems.append(Problem(_("Unknown guideline “%(slug)s”: this importer knows %(known)s.") % {"slug": guideline, "known": known}))
        return preview
    edition = edition.strip()
    if not edition or len(edition) > 64:
        preview.problems.append(Problem(_("Give the edition id, for example 2.3.")))
        return preview
    try:
        with Workbook(data, file_name=file_name) as book:
            grids = [book.grid(title_, fill_merged=True) for title_ in book.sheet_titles if book.sheet_state(title_) == "visible"]
    except WorkbookRefused as exc:
        preview.problems.append(Problem(exc.message))
        return preview

    header = headings.find_header(
        grids, required=("number", "level"), wanted=("label", "purpose", "requirement", "condition", "criteria")
    )
    if header is None or not any(header.has(name) for name in ("condition", "requirement", "criteria", "title")):
        preview.problems.append(Problem(
            _("No header row was found. The checksheet needs the columns No., the level (レベル / Lv / 対象レベル) "
              "and the item text (達成条件, 要求事項 or 達成基準); ラベル, 目的 and 達成基準 are read when present.")
        ))
        return preview
    preview.sheet, preview.header_row = header.sheet, header.row
    preview.columns = {name: f"{header.headings[name]} ({header.letter(name)})" for name in header.columns}
    grid = next(g for g in grids if g.title == header.sheet)
    rows = _item_rows(preview, grid, header)
    if not preview.problems and not rows:
        preview.problems.append(Problem(_("The table has no item rows."), header.sheet, header.row))
        return preview
    if not header.has("label"):
        preview.warnings.append(_("The table has no label column (ラベル): items are grouped by the heading rows between them, if any."))
    _build(preview, preset, rows, header, title=title, published=published)  # checks every row, even after a problem
    if not preview.problems:
        _cross_check(preview, preset)
    return preview


def _item_rows(preview: EditionPreview, grid, header: headings.Header) -> list[_Row]:
    """One _Row per item, in document order; labels, purposes and requirements carried down."""
    col = header.columns
    sheet = header.sheet
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    label, carried = "", dict.fromkeys(CARRIED, "")

    for row in range(header.row + 1, grid.height + 1):
        values = grid.rows[row - 1]
        filled = [text(v) for v in values if text(v)]
        if not filled:
            continue
        raw_number = grid.value(row, col["number"])
        texts = {name: text(grid.value(row, col[name])) for name in TEXT_FIELDS if name in col}
        row_label = text(grid.value(row, col["label"])) if "label" in col else ""
        number = headings.item_number(raw_number)

        if number is None and len(set(filled)) == 1:
            # A heading row (one text, or one merged cell across the table): a label.
            if "label" not in col:
                label, carried = filled[0], dict.fromkeys(CARRIED, "")
            continue
        if row_label and row_label != label:
            label, carried = row_label, dict.fromkeys(CARRIED, "")
        if number is None:
            if text(raw_number):
                preview.problems.append(Problem(
                    _("“%(value)s” is not an item number.") % {"value": text(raw_number)[:30]}, sheet, row, header.letter("number")
                ))
                continue
            if rows and any(texts.values()):
                _join(rows[-1], texts)  # a row without a number continues the item above
                preview.joined_rows += 1
            continue
        if number in seen:
            if rows and rows[-1].number == number and grid.continues_merge(row, col["number"]):
                _join(rows[-1], texts)  # the number cell is merged over several rows
                preview.joined_rows += 1
                continue
            preview.problems.append(Problem(
                _("No.%(number)s appears twice (also on row %(row)s).") % {"number": number, "row": seen[number]},
                sheet, row, header.letter("number"),
            ))
            continue
        seen[number] = row
        for name in CARRIED:
            if name in texts:
                if texts[name]:
                    carried[name] = texts[name]
                else:
                    texts[name] = carried[name]
        rows.append(_Row(number, row, label, grid.value(row, col["level"]), texts))
    return rows


def _join(previous: _Row, texts: dict[str, str]):
    for name, value in texts.items():
        if value and value != previous.texts.get(name):
            previous.texts[name] = f"{previous.texts[name]}\n{value}" if previous.texts.get(name) else value


def _build(preview: EditionPreview, preset: Preset, rows: list[_Row], header, *, title, published):
    codes = tuple(level["code"] for level in preset.levels)
    sheet = header.sheet
    sections: dict[str, SectionSpec] = {}
    items = []
    priority, priority_source = priority_numbers(preset.priority_source, preset.guideline["id"])
    flagged = set(priority)
    # Each item needs text of its own; a requirement carried down from the label's first item
    # counts only when the table has no per-item text column.
    own_text = [name for name in ("title", "condition", "criteria") if header.has(name)] or ["requirement"]
    for entry in rows:
        level = headings.level_code(entry.level_raw, codes)
        if level is None:
            message = (
                _("No.%(number)s has no level.") % {"number": entry.number}
                if text(entry.level_raw) == ""
                else _("“%(value)s” is not a level: write %(levels)s (or 1, 2, 3).") % {"value": text(entry.level_raw)[:20], "levels": ", ".join(codes)}
            )
            preview.problems.append(Problem(message, sheet, entry.row, header.letter("level")))
            continue
        if not any(entry.texts.get(name) for name in own_text):
            preview.problems.append(Problem(_("No.%(number)s has no text.") % {"number": entry.number}, sheet, entry.row, header.letter("number")))
            continue
        label = entry.label or sheet
        if label not in sections:
            number, label_title = _numbered_label(label)
            used = {section.code for section in sections.values()}
            code = number if number and number not in used else str(len(sections) + 1)
            sections[label] = SectionSpec(
                code=code, title=label_title[:300], title_en="", description="", parent_code=None, position=len(sections)
            )
        items.append(ItemSpec(
            number=entry.number,
            section_code=sections[label].code,
            position=len(items),
            level=level,
            texts={name: entry.texts.get(name, "") for name in TEXT_FIELDS},
            priority=entry.number in flagged,
            refs=[],
            attributes={},
        ))
    if preview.problems:
        return
    code = preview.edition
    # The catalogue's text is Japanese whoever imports it (the English titles are separate fields).
    with translation.override("ja"):
        source = _("Imported from the official checksheet “%(file)s” (sha256 %(sha)s…), sheet “%(sheet)s”, header on row %(row)s.") % {
            "file": preview.file_name, "sha": preview.sha256[:16], "sheet": sheet, "row": header.row,
        }
        if priority_source:
            source += _("Priority items: the items cited by %(source)s.") % {"source": str(priority_source)}
    spec = EditionSpec(
        guideline=dict(preset.guideline),
        edition={
            "id": code,
            "title": title or preset.edition_title % {"code": code},
            "title_en": preset.edition_title_en % {"code": code},
            "published": published,
            "assessed_per": "company",
            "source": source,
            "attributes": [],
        },
        scale=preset.scale,
        levels=preset.levels,
        sections=list(sections.values()),
        items=items,
        file_name=preview.file_name[:300],
    )
    spec.content_hash = content_hash(spec)
    preview.spec = spec
    preview.priority = [item.number for item in items if item.priority]
    if not priority_source:
        preview.warnings.append(
            _("The priority-items guide (%(slug)s) is not loaded, so no item is flagged as a priority item. Run “keiretsu catalogue load” first.")
            % {"slug": preset.priority_source}
        )
    else:
        missing = [n for n in priority if n not in {item.number for item in items}]
        if missing:
            preview.warnings.append(
                _("%(source)s cites items that are not in the checksheet: %(numbers)s")
                % {"source": priority_source, "numbers": ", ".join(f"No.{n}" for n in missing)}
            )
    levels = Counter(item.level for item in items)
    preview.by_level = {code: levels.get(code, 0) for code in codes}
    per_label = {}
    for item in items:
        entry = per_label.setdefault(item.section_code, {"code": item.section_code, "count": 0, "levels": dict.fromkeys(codes, 0)})
        entry["count"] += 1
        entry["levels"][item.level] += 1
    for section in spec.sections:
        per_label[section.code]["title"] = section.title
    preview.by_label = [per_label[s.code] for s in spec.sections]


def _cross_check(preview: EditionPreview, preset: Preset):
    expected = preset.expected
    if preview.total != expected["total"] or any(preview.by_level.get(c, 0) != n for c, n in expected.items() if c != "total"):
        wanted = " + ".join(f"{c} {n}" for c, n in expected.items() if c != "total")
        found = " + ".join(f"{c} {n}" for c, n in preview.by_level.items())
        preview.warnings.append(
            _("The checksheet has %(total)s items (%(found)s); the published edition has %(expected)s (%(wanted)s). Check that this is the complete official checksheet.")
            % {"total": preview.total, "found": found, "expected": expected["total"], "wanted": wanted}
        )
    reference = reference_levels(preset.reference_file)
    for item in preview.spec.items:
        known = reference.get(item.number)
        if known and item.level not in known[0]:
            preview.level_disagreements.append({
                "number": item.number, "level": item.level, "reference": "/".join(sorted(known[0])), "evidence": known[1],
            })
    if preview.level_disagreements:
        preview.warnings.append(
            _("%(count)s items have another level than METI's cross-reference gives them: check them below.")
            % {"count": len(preview.level_disagreements)}
        )
    existing = Edition.objects.filter(guideline__slug=preview.guideline, code=preview.edition).first()
    if existing is not None:
        if existing.content_hash == preview.spec.content_hash:
            preview.state = "unchanged"
        else:
            preview.problems.append(Problem(
                _("Edition %(edition)s of %(guideline)s is already loaded with a different content. A loaded edition never "
                  "changes: import this checksheet under a new edition id.") % {"edition": preview.edition, "guideline": preview.guideline}
            ))


def content_hash(spec: EditionSpec) -> str:
    """A digest of what the edition says (not where the file came from): the same checksheet
    imported twice, under any file name, is the same edition."""
    document = spec_to_dict(spec)
    document["edition"] = {k: v for k, v in document["edition"].items() if k != "source"}
    for key in ("file_name", "content_hash"):
        document.pop(key, None)
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def spec_to_dict(spec: EditionSpec) -> dict:
    document = asdict(spec)
    published = document["edition"].get("published")
    if isinstance(published, datetime.date):
        document["edition"]["published"] = published.isoformat()
    for item in document["items"]:
        item["refs"] = [list(ref) for ref in item["refs"]]
    return document


def spec_from_dict(document: dict) -> EditionSpec:
    edition = dict(document["edition"])
    if edition.get("published"):
        edition["published"] = datetime.date.fromisoformat(edition["published"])
    return EditionSpec(
        guideline=document["guideline"],
        edition=edition,
        scale=document["scale"],
        levels=document["levels"],
        sections=[SectionSpec(**s) for s in document["sections"]],
        items=[ItemSpec(**{**i, "refs": [tuple(r) for r in i["refs"]]}) for i in document["items"]],
        content_hash=document["content_hash"],
        file_name=document["file_name"],
    )
