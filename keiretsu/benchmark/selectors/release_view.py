"""A release as its page shows it. The one reader of a release's stored statistics (JSON):
every other part (CSV, API, charts, the comparison, publishing) asks here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from keiretsu.catalogue.models import Item
from keiretsu.catalogue.selectors import EditionStructure, edition_structure

from ..models import Release
from .lookups import dimension_label, previous_release, segment_label


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass
class Figure:
    """One cell of a release: its status and, when shown, its figures."""

    status: str
    n: int | None = None
    mean: Decimal | None = None
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None
    share: Decimal | None = None

    @classmethod
    def of(cls, cell: dict | None) -> Figure:
        if not cell:
            return cls("empty")
        return cls(
            status=cell["status"],
            n=cell.get("n"),
            mean=_decimal(cell.get("mean")),
            q1=_decimal(cell.get("q1")),
            median=_decimal(cell.get("median")),
            q3=_decimal(cell.get("q3")),
            share=_decimal(cell.get("share")),
        )

    @property
    def shown(self) -> bool:
        return self.status == "published"


def group_cell(statistics_: dict, group: str, path: tuple[str, ...]) -> Figure:
    """The cell at `path` ("overall"; "levels", "Lv1"; "items", "12" ...) of a group."""
    entry = statistics_["groups"].get(group)
    if not entry or entry["status"] != "published":
        return Figure(entry["status"] if entry else "empty")
    cell = entry
    for key in path:
        cell = (cell or {}).get(key)
    return Figure.of(cell)


@dataclass
class GroupColumn:
    key: str
    dimension: str
    value: str
    label: str
    status: str
    n: int | None


@dataclass
class StatRow:
    code: str
    title: str
    figure: Figure
    attained: Figure | None = None
    depth: int = 0


@dataclass
class SegmentTable:
    dimension: str
    label: str
    groups: list[GroupColumn]
    rows: list[tuple[GroupColumn, Figure, list[Figure], list[Figure]]]  # group, overall, per level, attained


@dataclass
class ItemRow:
    item: Item
    text: str
    figure: Figure


@dataclass
class LevelChange:
    code: str
    title: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


@dataclass
class ReleaseView:
    release: Release
    structure: EditionStructure
    total: Figure
    overall: Figure
    levels: list[StatRow]
    sections: list[StatRow]
    priority: Figure | None
    segments: list[SegmentTable]
    items: list[ItemRow]
    previous: Release | None = None
    changes: list[LevelChange] = field(default_factory=list)
    suppressed_groups: int = 0

    @property
    def segment_colspan(self) -> int:
        return 2 + 2 * len(self.levels)


def release_view(release: Release) -> ReleaseView:
    """Everything the release page shows, from the stored statistics and the catalogue."""
    data = release.statistics
    structure = edition_structure(release.edition)
    edition = release.edition
    levels = [
        StatRow(
            code,
            edition.level_title(code),
            group_cell(data, "all", ("levels", code)),
            group_cell(data, "all", ("attained", code)),
        )
        for code in data["levels"]
    ]
    sections = [
        StatRow(
            section.code,
            section.display_title,
            group_cell(data, "all", ("sections", section.code)),
            depth=section.depth,
        )
        for section in structure.sections
    ]
    segments = []
    suppressed = 0
    for dimension in data["dimensions"]:
        columns = []
        rows = []
        for value in dimension["values"]:
            key = f"{dimension['name']}:{value}"
            entry = data["groups"][key]
            column = GroupColumn(
                key, dimension["name"], value, segment_label(dimension["name"], value), entry["status"], entry.get("n")
            )
            if entry["status"] in ("below_k", "complementary"):
                suppressed += 1
            columns.append(column)
            rows.append(
                (
                    column,
                    group_cell(data, key, ("overall",)),
                    [group_cell(data, key, ("levels", code)) for code in data["levels"]],
                    [group_cell(data, key, ("attained", code)) for code in data["levels"]],
                )
            )
        segments.append(SegmentTable(dimension["name"], dimension_label(dimension["name"]), columns, rows))
    items = [
        ItemRow(item, short_text(item), group_cell(data, "all", ("items", item.number))) for item in structure.items
    ]
    all_entry = data["groups"]["all"]
    view = ReleaseView(
        release=release,
        structure=structure,
        total=Figure(all_entry["status"], all_entry.get("n")),
        overall=group_cell(data, "all", ("overall",)),
        levels=levels,
        sections=sections,
        priority=group_cell(data, "all", ("priority",)) if "priority" in all_entry else None,
        segments=segments,
        items=items,
        suppressed_groups=suppressed,
    )
    view.previous = previous_release(release)
    if view.previous is not None:
        view.changes = [
            LevelChange(
                row.code,
                row.title,
                group_cell(view.previous.statistics, "all", ("levels", row.code)).mean,
                row.figure.mean,
            )
            for row in levels
        ]
    return view


def short_text(item: Item) -> str:
    text = item.title or item.condition or item.criteria or item.requirement
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line[:120]
