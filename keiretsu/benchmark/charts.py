"""What the benchmark pages draw: chart geometry (drawing in templates/benchmark/charts/).

Each chart is drawn as the table it is (issue 12, section 3): the names and figures are page
text (names wrap, never smaller than the page's small text), the bars and boxes are SVG in
percent of their cell, a scale heads the bar column. The SVG coordinates below are kept for
callers that draw one picture.
Figures come from the release's stored statistics (selectors.release_view) or from scoring;
nothing here computes a statistic."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from keiretsu.lib.charts import bar_length

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
    return PLOT_X + bar_length(value, PLOT_WIDTH)


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
    bar_rows_height: int = 5  # a row's SVG height in viewBox units: 5 a bar, 1 between bars
    name_heading: str = ""  # the heading of the names' column (the table's first)


def bar_chart(title, legend, rows, name_heading="") -> Chart:
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
                "pct": bar_length(value, 100),
                "top": position * 6,
            }
            for position, ((series, _label), value) in enumerate(zip(legend, values, strict=True))
        ]
        out.append({"label": label, "text_y": top + len(legend) * BAR_HEIGHT / 2 + 4, "bars": bars})
    chart_height = len(legend) * 6 - 1  # the height of a row's SVG (viewBox units: 5 a bar, 1 between)
    height = TOP + len(rows) * per_row + 8
    keys = [
        {"series": series, "label": label, "x": index * 150, "text_x": index * 150 + 14}
        for index, (series, label) in enumerate(legend)
    ]
    return Chart(title, height, out, keys, _ticks(height), bar_rows_height=chart_height,
                 name_heading=name_heading or _("Level"))


def box_chart(title, rows, name_heading="") -> Chart:
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
                q1_pct=bar_length(figure.q1, 100),
                box_pct=bar_length(figure.q3, 100) - bar_length(figure.q1, 100),
                median_pct=bar_length(figure.median, 100),
                mean_pct=bar_length(figure.mean, 100),
            )
        out.append(row)
    height = TOP + len(rows) * per_row + 8
    # The legend's words come from here, so that the SVG template holds no text to translate.
    legend = {"box": _("Q1 to Q3"), "median": _("median"), "mean": _("mean"), "hidden": _("not shown")}
    return Chart(title, height, out, legend, ticks=_ticks(height), name_heading=name_heading or _("Level"))


def release_charts(view) -> dict:
    levels = box_chart(
        _("Achievement rate per level: quartiles, median and mean"),
        [(row.code, row.figure) for row in view.levels],
    )
    sections = bar_chart(
        _("Mean achievement rate per section"),
        [("industry", _("Industry mean"))],
        [(f"{row.code} {row.title}", [row.figure.mean]) for row in view.sections if row.depth == 0],
        name_heading=_("Section"),
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
            name_heading=_("Section"),
        ),
    }
