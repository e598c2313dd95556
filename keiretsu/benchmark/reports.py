"""What the benchmark pages draw and export: SVG chart geometry, the CSV of a release, and the
industry body's view of one submission. Figures come from the release's stored statistics
(selectors.release_view) or from scoring; nothing here computes a statistic."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from keiretsu.assessments.models import Answer
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.lib.spreadsheets import csv_response
from keiretsu.programme.scoring import ScoreSummary

from .selectors import dimension_label, group_cell, segment_label, short_text

# --- Charts (inline SVG: geometry here, drawing in templates/benchmark/charts/) -------------------
# Coordinates are computed here so the templates only place them (no style attributes: CSP).

LABEL_WIDTH = 230
PLOT_X = LABEL_WIDTH + 8
PLOT_WIDTH = 320
VALUE_X = PLOT_X + PLOT_WIDTH + 6
TOTAL_WIDTH = LABEL_WIDTH + PLOT_WIDTH + 70
BAR_HEIGHT = 13
TOP = 28


def _x(value: Decimal | None) -> float:
    """The x of a percentage on the plot."""
    return PLOT_X + (0 if value is None else float(value) * PLOT_WIDTH / 100)


def _ticks(height):
    return [{"x": PLOT_X + PLOT_WIDTH * p / 100, "label": p, "bottom": height} for p in (0, 25, 50, 75, 100)]


@dataclass
class Chart:
    title: str
    height: float
    rows: list
    legend: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    label_width: int = LABEL_WIDTH
    plot_x: int = PLOT_X
    plot_end: int = PLOT_X + PLOT_WIDTH
    value_x: int = VALUE_X
    total_width: int = TOTAL_WIDTH


def bar_chart(title, legend, rows) -> Chart:
    """legend: [(series, label)]; rows: [(label, [value per series])]. Undefined values draw no bar."""
    per_row = len(legend) * BAR_HEIGHT + 14
    out = []
    for index, (label, values) in enumerate(rows):
        top = TOP + index * per_row
        bars = [
            {
                "series": series,
                "value": value,
                "y": top + position * BAR_HEIGHT,
                "text_y": top + position * BAR_HEIGHT + 10,
                "width": _x(value) - PLOT_X,
            }
            for position, ((series, _label), value) in enumerate(zip(legend, values, strict=True))
        ]
        out.append({"label": label, "text_y": top + len(legend) * BAR_HEIGHT / 2 + 4, "bars": bars})
    height = TOP + len(rows) * per_row + 8
    keys = [
        {"series": series, "label": label, "x": index * 150, "text_x": index * 150 + 14}
        for index, (series, label) in enumerate(legend)
    ]
    return Chart(title, height, out, keys, _ticks(height))


def box_chart(title, rows) -> Chart:
    """rows: [(label, Figure)]: a box from Q1 to Q3, a line at the median, a dot at the mean."""
    per_row = 30
    out = []
    for index, (label, figure) in enumerate(rows):
        y = TOP + index * per_row
        row = {"label": label, "figure": figure, "text_y": y + 15, "shown": figure.shown and figure.q1 is not None}
        if row["shown"]:
            row.update(
                axis_y=y + 10,
                box_y=y + 3,
                line_top=y + 1,
                line_bottom=y + 19,
                q1_x=_x(figure.q1),
                box_width=_x(figure.q3) - _x(figure.q1),
                median_x=_x(figure.median),
                mean_x=_x(figure.mean),
            )
        out.append(row)
    height = TOP + len(rows) * per_row + 8
    # The legend's words come from here, so that the SVG template holds no text to translate.
    legend = {"box": _("Q1 to Q3"), "median": _("median"), "mean": _("mean"), "hidden": _("not shown")}
    return Chart(title, height, out, legend, ticks=_ticks(height))


def release_charts(view) -> dict:
    levels = box_chart(
        _("Achievement rate per level: quartiles, median and mean"),
        [(row.code, row.figure) for row in view.levels],
    )
    sections = bar_chart(
        _("Mean achievement rate per section"),
        [("industry", _("Industry mean"))],
        [(f"{row.code} {row.title}", [row.figure.mean]) for row in view.sections if row.depth == 0],
    )
    attained = bar_chart(
        _("Share of companies that attained each level"),
        [("industry", _("Share of companies"))],
        [(row.code, [row.attained.share if row.attained else None]) for row in view.levels],
    )
    change = None
    if view.previous is not None:
        change = bar_chart(
            _("Mean achievement rate per level, this year and last year"),
            [
                ("previous", _("FY%(year)s") % {"year": view.previous.round.fiscal_year}),
                ("industry", _("FY%(year)s") % {"year": view.release.round.fiscal_year}),
            ],
            [(row.code, [row.previous, row.current]) for row in view.changes],
        )
    return {"levels": levels, "sections": sections, "attained": attained, "change": change}


def comparison_charts(detail) -> dict:
    comparison = detail.comparison
    legend = [("own", _("Your company")), ("industry", _("Industry mean"))]
    if comparison.segment_label:
        legend.append(("segment", comparison.segment_label))

    def values(row):
        return [row.own, row.industry] + ([row.segment] if comparison.segment_label else [])

    return {
        "levels": bar_chart(
            _("Achievement rate per level"),
            legend,
            [
                (row.title if row.code == "overall" else row.code, values(row))
                for row in [comparison.overall, *comparison.by_level]
            ],
        ),
        "sections": bar_chart(
            _("Achievement rate per section"),
            legend,
            [(f"{row.code} {row.title}", values(row)) for row in comparison.by_section],
        ),
    }


# --- CSV ------------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell Excel shows as text and never runs as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _status_note(status: str, k: int) -> str:
    if status == "below_k":
        return _("suppressed: fewer than %(k)s companies") % {"k": k}
    if status == "complementary":
        return _("suppressed: would reveal a smaller group")
    if status == "empty":
        return _("no submissions")
    return ""


def release_rows(release) -> list[list[str]]:
    """The release as a long table: one row per group and statistic. Suppressed cells are empty."""
    data = release.statistics
    k = data["k"]
    edition = release.edition
    structure = edition_structure(edition)
    sections = {section.code: section.display_title for section in structure.sections}
    items = {item.number: short_text(item) for item in structure.items}
    head = [
        release.round.fiscal_year,
        _text(release.round.body.name),
        _text(f"{edition.guideline.slug} {edition.code}"),
        release.version,
        release.get_status_display(),
    ]
    rows = [
        [
            _("Fiscal year"),
            _("Industry body"),
            _("Edition"),
            _("Release version"),
            _("Status"),
            _("Segment type"),
            _("Segment"),
            _("Statistic"),
            _("Code"),
            _("Title"),
            _("Companies (n)"),
            _("Mean %"),
            _("First quartile %"),
            _("Median %"),
            _("Third quartile %"),
            _("Share %"),
            _("Note"),
        ]
    ]

    def cell_row(segment_type, segment, statistic, code, title, figure):
        if figure.shown:
            values = [figure.n, figure.mean, figure.q1, figure.median, figure.q3, figure.share]
            values = ["" if v is None else v for v in values]
        else:
            values = [""] * 6
        return [
            *head,
            segment_type,
            _text(segment),
            statistic,
            _text(code),
            _text(title),
            *values,
            _status_note(figure.status, k),
        ]

    groups = [("all", _("All"), _("All companies"))]
    for dimension in data["dimensions"]:
        for value in dimension["values"]:
            groups.append(
                (
                    f"{dimension['name']}:{value}",
                    dimension_label(dimension["name"]),
                    segment_label(dimension["name"], value),
                )
            )
    for key, segment_type, segment in groups:
        entry = data["groups"][key]
        rows.append(cell_row(segment_type, segment, _("Submissions"), "", "", group_cell(data, key, ())))
        if entry["status"] != "published":
            continue
        rows.append(
            cell_row(segment_type, segment, _("Achievement rate: overall"), "", "", group_cell(data, key, ("overall",)))
        )
        for code in data["levels"]:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: level"),
                    code,
                    edition.level_title(code),
                    group_cell(data, key, ("levels", code)),
                )
            )
        for code in data["sections"]:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: section"),
                    code,
                    sections.get(code, ""),
                    group_cell(data, key, ("sections", code)),
                )
            )
        if "priority" in entry:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: priority items"),
                    "",
                    "",
                    group_cell(data, key, ("priority",)),
                )
            )
        for code in data["levels"]:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Level attained"),
                    code,
                    edition.level_title(code),
                    group_cell(data, key, ("attained", code)),
                )
            )
        for number in data["items"]:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Item achieved"),
                    number,
                    items.get(number, ""),
                    group_cell(data, key, ("items", number)),
                )
            )
    return rows


def release_csv_response(release) -> HttpResponse:
    edition = release.edition
    name = f"benchmark-FY{release.round.fiscal_year}-{edition.guideline.slug}-{edition.code}-v{release.version}.csv"
    return csv_response(release_rows(release), name)


# --- The industry body's view of one submission ------------------------------------------------


def submission_detail(submission) -> dict:
    """What the body sees of a submission: the scores and the rating of every item (no reasons or comments)."""
    assessment = submission.assessment
    structure = edition_structure(submission.edition)
    ratings = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "rating"))
    return {
        "scores": ScoreSummary.from_dict(assessment.score_snapshot),
        "structure": structure,
        "edition": submission.edition,
        "rated_items": [(item, short_text(item), ratings.get(item.pk, "")) for item in structure.items],
    }
