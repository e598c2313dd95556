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
    return StoredStatistics(statistics_).cell(group, path)


class StoredStatistics:
    """A release's statistics as compute.py stored them (Release.statistics): the layout of that
    JSON is known here only. A suppressed group or cell carries its status and no figure."""

    def __init__(self, data: dict):
        self._data = data

    @classmethod
    def of(cls, release: Release) -> StoredStatistics:
        return cls(release.statistics)

    k = property(lambda self: self._data["k"])
    quartile_method = property(lambda self: self._data["quartile_method"])
    levels = property(lambda self: list(self._data["levels"]))  # level codes, in order
    sections = property(lambda self: list(self._data["sections"]))  # section codes, in document order
    items = property(lambda self: list(self._data["items"]))  # item numbers, in document order

    @property
    def segments(self) -> list[tuple[str, list[str]]]:
        """(dimension, its values) for each dimension a release is broken down by."""
        return [(d["name"], list(d["values"])) for d in self._data["dimensions"]]

    @staticmethod
    def segment_key(dimension: str, value: str) -> str:
        return f"{dimension}:{value}"

    def group_keys(self) -> list[str]:
        """ "all", then every segment ("tier:1", "size_band:small", ...)."""
        return list(self._data["groups"])

    def group(self, key: str) -> Figure:
        """A group's status and, when it is shown, its size (n)."""
        entry = self._data["groups"].get(key)
        return Figure(entry["status"], entry.get("n")) if entry else Figure("empty")

    def has_priority(self, key: str = "all") -> bool:
        return "priority" in self._data["groups"].get(key, {})

    def cell(self, key: str, path: tuple[str, ...]) -> Figure:
        """The cell at `path` ("overall"; "levels", "Lv1"; "items", "12" ...) of a group."""
        entry = self._data["groups"].get(key)
        if not entry or entry["status"] != "published":
            return Figure(entry["status"] if entry else "empty")
        cell = entry
        for part in path:
            cell = (cell or {}).get(part)
        return Figure.of(cell)

    def published_cells(self, key: str) -> dict | None:
        """A shown group's cells as stored ({"overall": ..., "levels": {...}, ...}): what the API
        publishes as it is. None for a suppressed group."""
        entry = self._data["groups"].get(key)
        if not entry or entry["status"] != "published":
            return None
        return {name: value for name, value in entry.items() if name not in ("status", "n")}

    @property
    def companies(self) -> int | None:
        """How many companies the release counts, when at least k did (else None)."""
        return self.group("all").n

    @property
    def publishable(self) -> bool:
        return self.group("all").shown


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
    data = StoredStatistics.of(release)
    structure = edition_structure(release.edition)
    edition = release.edition
    levels = [
        StatRow(
            code,
            edition.level_title(code),
            data.cell("all", ("levels", code)),
            data.cell("all", ("attained", code)),
        )
        for code in data.levels
    ]
    sections = [
        StatRow(
            section.code,
            section.display_title,
            data.cell("all", ("sections", section.code)),
            depth=section.depth,
        )
        for section in structure.sections
    ]
    segments = []
    suppressed = 0
    for dimension, values in data.segments:
        columns = []
        rows = []
        for value in values:
            key = data.segment_key(dimension, value)
            group = data.group(key)
            column = GroupColumn(key, dimension, value, segment_label(dimension, value), group.status, group.n)
            if group.status in ("below_k", "complementary"):
                suppressed += 1
            columns.append(column)
            rows.append(
                (
                    column,
                    data.cell(key, ("overall",)),
                    [data.cell(key, ("levels", code)) for code in data.levels],
                    [data.cell(key, ("attained", code)) for code in data.levels],
                )
            )
        segments.append(SegmentTable(dimension, dimension_label(dimension), columns, rows))
    items = [ItemRow(item, item.short_text, data.cell("all", ("items", item.number))) for item in structure.items]
    view = ReleaseView(
        release=release,
        structure=structure,
        total=data.group("all"),
        overall=data.cell("all", ("overall",)),
        levels=levels,
        sections=sections,
        priority=data.cell("all", ("priority",)) if data.has_priority() else None,
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
                StoredStatistics.of(view.previous).cell("all", ("levels", row.code)).mean,
                row.figure.mean,
            )
            for row in levels
        ]
    return view
