"""Reads of the catalogue. Shipped editions are shared by every organisation; an official
checksheet an organisation imported for itself is seen only by that organisation and by those
it shared results with (`EditionAccess`), until the administrator makes it instance-wide."""

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.base import ModelState
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import pgettext_lazy

from keiretsu.programme.scoring import ScoredItem

from .models import CrossReference, Edition, EditionAccess, Item, Section

# Guidelines that items cite and that may not be loaded here, by name (docs/glossary.md).
KNOWN_GUIDELINES = {
    "jama-enterprise": pgettext_lazy("guideline", "JAMA/JAPIA Cybersecurity Guidelines, enterprise edition"),
    "jama-factory": pgettext_lazy("guideline", "JAMA/JAPIA Cybersecurity Guidelines, factory edition"),
    "jama-priority-items": pgettext_lazy("guideline", "JAMA/JAPIA guideline, priority items"),
    "meti-scs": pgettext_lazy("guideline", "METI supply-chain security evaluation scheme"),
}


def visible_to(organisation_ids) -> Q:
    """Editions the organisations may use: instance-wide ones and those they were given access to.
    `organisation_ids=None` means every edition (the command line, the administrator)."""
    if organisation_ids is None:
        return Q()
    access = EditionAccess.objects.filter(edition=OuterRef("pk"), organisation__in=list(organisation_ids))
    return Q(is_instance_wide=True) | Q(Exists(access))


def user_organisation_ids(user):
    """The organisations a person acts for, for the catalogue pages; None for the administrator."""
    if user.is_staff:
        return None
    return list(user.memberships.values_list("organisation_id", flat=True))


def editions(organisation_ids=None):
    return (
        Edition.objects.filter(visible_to(organisation_ids))
        .select_related("guideline")
        .annotate(item_count=Count("items"))
        .order_by("guideline__slug", "-published", "code")
    )


def edition_for(organisation_ids, edition_id) -> Edition:
    """One edition the organisations may use; 404 for any other (another company's import)."""
    try:
        return Edition.objects.select_related("guideline").get(visible_to(organisation_ids), pk=edition_id)
    except Edition.DoesNotExist:
        raise Http404 from None


def imported_by(organisation_id):
    """Editions the organisation imported from an official checksheet for itself."""
    return (
        Edition.objects.filter(access__organisation=organisation_id, access__via=EditionAccess.Via.IMPORTED)
        .select_related("guideline")
        .order_by("-loaded_at")
    )


def edition_summary(edition: Edition) -> dict:
    """What `keiretsu catalogue list --json` prints for one edition."""
    levels = Counter(edition.items.values_list("level", flat=True))
    structure = edition_structure(edition)
    return {
        "guideline": edition.guideline.slug,
        "edition": edition.code,
        "title": edition.title,
        "guideline_title": edition.guideline.title,
        "assessed_per": edition.assessed_per,
        "items": len(structure.items),
        "levels": {code: levels.get(code, 0) for code in edition.level_codes},
        "sections": {
            section.code: structure.section_item_count(section.code) for section in structure.top_sections
        },
        "subsections": len(structure.sections) - len(structure.top_sections),
        "content_hash": edition.content_hash,
    }


@dataclass
class EditionStructure:
    """An edition's sections and items, in document order, read in two queries."""

    edition: Edition
    sections: list[Section]
    items: list[Item]
    section_paths: dict[int, tuple[str, ...]] = field(default_factory=dict)  # section pk -> codes, outermost first

    @property
    def top_sections(self):
        return [s for s in self.sections if s.parent_id is None]

    def scored_items(self) -> list[ScoredItem]:
        return [
            ScoredItem(
                number=item.number,
                level=item.level,
                sections=self.section_paths[item.section_id],
                priority=item.is_priority,
            )
            for item in self.items
        ]

    def section_item_count(self, code):
        return sum(1 for item in self.items if code in self.section_paths[item.section_id])


def edition_structure(edition: Edition) -> EditionStructure:
    return edition_structures([edition])[edition.pk]


def edition_structures(editions) -> dict[int, EditionStructure]:
    """The structures of several editions (edition pk -> structure) in two queries, however many.

    An edition never changes once loaded, so each process keeps the structures it read in its
    own memory (_STRUCTURES) and the pages that show an edition's 153 items do not read them
    again (issue 12: the checklist's server time; issue 10: a save's CPU). Each caller gets
    its own copies of the sections and items: callers set attributes on them.
    """
    editions = {edition.pk: edition for edition in editions}
    keys = {pk: _structure_key(edition) for pk, edition in editions.items()}
    missing = [pk for pk, key in keys.items() if _STRUCTURES.get(key) is None]
    sections_of, items_of = defaultdict(list), defaultdict(list)
    if missing:
        for section in Section.objects.filter(edition__in=missing).order_by("edition_id", "position"):
            sections_of[section.edition_id].append(section)
        for item in Item.objects.filter(edition__in=missing).order_by("edition_id", "position"):
            items_of[item.edition_id].append(item)
    structures = {}
    for pk, edition in editions.items():
        if pk in missing:
            _STRUCTURES.put(keys[pk], (sections_of[pk], items_of[pk]))
        sections, items = _STRUCTURES.copies(keys[pk])
        paths = {}
        by_pk = {s.pk: s for s in sections}
        for section in sections:  # parents come first (document order)
            parent_path = paths.get(section.parent_id, ()) if section.parent_id else ()
            paths[section.pk] = (*parent_path, section.code)
            section.depth = len(paths[section.pk]) - 1
            section.parent_section = by_pk.get(section.parent_id)
        structures[pk] = EditionStructure(edition=edition, sections=sections, items=items, section_paths=paths)
    return structures


class _StructureMemo:
    """Sections and items of recently used editions, per process (most recent last, at most
    `size`). Not Django's local-memory cache: it pickles on every read, which cost 5 ms per
    request for the 153 METI items; a copy of each instance costs a tenth of that."""

    def __init__(self, size=32):
        self.size = size
        self.entries: dict[str, tuple[list[Section], list[Item]]] = {}
        self.lock = threading.Lock()

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value):
        with self.lock:
            self.entries.pop(key, None)
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.pop(next(iter(self.entries)))

    def copies(self, key):
        sections, items = self.entries[key]
        return [_copy(s) for s in sections], [_copy(i) for i in items]

    def clear(self):
        with self.lock:
            self.entries.clear()


def _copy(instance):
    """A model instance of its own with the same field values (no query, no pickling)."""
    copied = instance.__class__.__new__(instance.__class__)
    state = ModelState()
    state.db, state.adding = instance._state.db, False
    copied.__dict__ = {**instance.__dict__, "_state": state}
    return copied


_STRUCTURES = _StructureMemo()


def forget_structures():
    """Read every edition's structure afresh (after a restore; tests, whose databases reuse keys)."""
    _STRUCTURES.clear()


def _structure_key(edition: Edition) -> str:
    # The load time too: test databases (and a deleted then reloaded edition) reuse primary keys.
    return f"structure.{edition.pk}.{edition.content_hash[:16]}.{edition.loaded_at.timestamp()}"


@dataclass(frozen=True)
class RelatedItem:
    edition: Edition | None  # None: the cited guideline is not loaded here (or not for this organisation)
    number: str
    text: str
    via: str  # the cited item, e.g. "jama-enterprise No.49"
    guideline_slug: str = ""

    @property
    def url(self):
        if self.edition is None:
            return ""
        return f"{_edition_url(self.edition.pk)}#no-{self.number}"

    @property
    def label(self):
        if self.edition is None:
            name = KNOWN_GUIDELINES.get(self.guideline_slug, self.guideline_slug)
            return f"{name} No.{self.number}"
        return f"{self.edition.guideline.display_title} {self.edition.code} No.{self.number}"


@lru_cache(maxsize=64)
def _edition_url(edition_id):
    return reverse("catalogue:detail", args=[edition_id])


def related_items(edition: Edition, items: list[Item], organisation_ids=None) -> dict[int, list[RelatedItem]]:
    """For each item: the items it cites and the items of other editions citing the same targets.

    Cross-references point at (guideline id, item number). Two items are related when one
    cites the other, or both cite the same target. Only editions the organisations may use
    are shown; another is "not loaded here", as if it were not. Three queries, whatever the
    number of items.
    """
    visible = visible_to(organisation_ids)
    item_by_pk = {item.pk: item for item in items}
    own_refs = list(
        CrossReference.objects.filter(item__edition=edition).values_list("item_id", "guideline_slug", "number")
    )
    targets = {(slug, number) for _, slug, number in own_refs}
    # An item of a cited guideline is itself a target that others cite.
    targets |= {(edition.guideline.slug, item.number) for item in items}

    refs_by_target = defaultdict(list)
    target_slugs = {slug for slug, _ in targets}
    target_numbers = {number for _, number in targets}
    citing = (
        CrossReference.objects.filter(guideline_slug__in=target_slugs, number__in=target_numbers)
        .filter(item__edition__in=Edition.objects.filter(visible).values("pk"))
        .exclude(item__edition=edition)
        .select_related("item__edition__guideline")
        .order_by("item__edition__guideline__slug", "item__position")
    )
    for ref in citing:
        if (ref.guideline_slug, ref.number) in targets:
            refs_by_target[(ref.guideline_slug, ref.number)].append(ref.item)

    cited_items = {}
    for item in Item.objects.filter(
        edition__guideline__slug__in=target_slugs, number__in=target_numbers,
        edition__in=Edition.objects.filter(visible).values("pk"),
    ).exclude(edition=edition).select_related("edition__guideline").order_by("-edition__loaded_at"):
        cited_items.setdefault((item.edition.guideline.slug, item.number), item)  # newest edition wins

    related = defaultdict(list)
    targets_of = defaultdict(list)
    for item_id, slug, number in own_refs:
        targets_of[item_id].append((slug, number))
    for item in items:
        targets_of[item.pk].append((edition.guideline.slug, item.number))

    for item_pk, item_targets in targets_of.items():
        if item_pk not in item_by_pk:
            continue
        seen = set()
        for slug, number in item_targets:
            via = f"{slug} No.{number}"
            cited = cited_items.get((slug, number))
            if cited is not None and cited.pk not in seen:
                seen.add(cited.pk)
                related[item_pk].append(RelatedItem(cited.edition, cited.number, cited.short_text, via))
            elif cited is None and slug != edition.guideline.slug:
                # The cited guideline is not loaded here: still name what is cited.
                related[item_pk].append(RelatedItem(None, number, "", via, guideline_slug=slug))
            for other in refs_by_target.get((slug, number), ()):
                if other.pk not in seen:
                    seen.add(other.pk)
                    related[item_pk].append(RelatedItem(other.edition, other.number, other.short_text, via))
    return related


def shown_context(item: Item, before: Item | None, section: Section) -> tuple[bool, bool]:
    """Whether to show the item's purpose and requirement.

    Both repeat over consecutive items (merged cells in the checksheet): show them where they
    change, as the document does, and not a requirement that only repeats the section's text.
    """
    show_purpose = bool(item.purpose) and (before is None or before.purpose != item.purpose)
    show_requirement = (
        bool(item.requirement)
        and item.requirement != section.description
        and (before is None or before.requirement != item.requirement)
    )
    return show_purpose, show_requirement


def attribute_rows(edition: Edition, item: Item) -> list[tuple[str, str]]:
    """The item's extra columns (e.g. METI's references) as (label, value), in declared order."""
    english = get_language() == "en"
    return [
        ((english and a.get("label_en")) or a["label"], item.attributes[a["key"]])
        for a in edition.attributes
        if a["key"] in item.attributes
    ]
