"""Bar charts for the PDF (no chart library, no raster).

The report draws them as tables (reports/_chart_table.html): the names and figures are the
page's text (never smaller than the report's body text, names wrapped rather than cut), the bars
are boxes whose width is the percentage, and a scale heads the bar column. reports/_bar_chart.svg
draws the same geometry as one SVG, for a place that wants a picture.

Colours are given with the chart: it does not depend on a stylesheet reaching inside it.
"""

from dataclasses import dataclass
from decimal import Decimal

from keiretsu.lib.charts import band, bar_length

COLOURS = {"high": "#2f8f5b", "mid": "#d49a2a", "low": "#c8553d", "none": "#b9c1ce"}
TRACK = "#edf0f5"
MARKER = "#1d2433"
TICKS = (0, 25, 50, 75, 100)  # the scale of every percentage axis


@dataclass
class Bar:
    label: str
    value: Decimal | None
    marker: Decimal | None = None  # the industry average, drawn as a tick


def wrap(label: str, chars: int) -> list[str]:
    """A name in lines of at most `chars` characters, broken at a space when there is one in
    the second half of the line (Japanese names break anywhere): never cut."""
    lines = []
    rest = label.strip()
    while len(rest) > chars:
        cut = rest.rfind(" ", chars // 2, chars + 1)
        cut = chars if cut <= 0 else cut
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return lines


def bar_chart(bars: list[Bar], *, label_width=128, bar_width=150, row_height=19, label_chars=11) -> dict:
    """Geometry for one row per bar, the value printed after it: percentages for the table
    (width_pct, marker_pct), and for the SVG coordinates in which a label of more than
    `label_chars` characters wraps over as many lines as it needs (the row grows, 13 units a line)."""
    top = 4 + 14  # the scale's labels above the bars
    line_height = 13
    rows = []
    y = top
    for bar in bars:
        lines = wrap(bar.label, label_chars)
        height = max(row_height, row_height + (len(lines) - 1) * line_height)
        first_text_y = y + row_height - 5 - (len(lines) - 1) * line_height / 2
        rows.append({
            "label": bar.label,
            "full_label": bar.label,
            "lines": [{"text": text, "y": round(first_text_y + i * line_height, 1)} for i, text in enumerate(lines)],
            "y": round(y + (height - row_height) / 2 + 2, 1),
            "text_y": round(first_text_y, 1),
            "width": round(bar_length(bar.value, bar_width), 1),
            "width_pct": round(bar_length(bar.value, 100), 1),
            "band": band(bar.value),
            "colour": COLOURS[band(bar.value)],
            "value": bar.value,
            "marker": bar.marker,
            "marker_pct": None if bar.marker is None else round(bar_length(bar.marker, 100), 1),
            "marker_x": None if bar.marker is None else round(label_width + 8 + bar_length(bar.marker, bar_width), 1),
            "marker_top": round(y + (height - row_height) / 2, 1),
            "marker_bottom": round(y + (height + row_height) / 2 - 1, 1),
        })
        y += height
    return {
        "rows": rows,
        "height": y + 4,
        "label_x": label_width,
        "bar_x": label_width + 8,
        "bar_width": bar_width,
        "bar_height": row_height - 6,
        "value_x": label_width + 8 + bar_width + 6,
        "width": label_width + bar_width + 58,
        "ticks": [{"value": t, "x": round(label_width + 8 + bar_length(Decimal(t), bar_width), 1)} for t in TICKS],
        "track": TRACK,
        "marker": MARKER,
        "colours": COLOURS,
        "has_markers": any(bar.marker is not None for bar in bars),
    }


# --- The trend over the years: a line chart (the dashboard and the PDF draw the same SVG) -------

TREND_OVERALL = "#1d4e89"
TREND_LEVELS = ("#2f8f5b", "#d49a2a", "#c8553d", "#7a4fa3", "#3b8fb0")
TREND_INDUSTRY = "#5b6475"
TREND_GRID = "#d5dae3"
TREND_FONT = 11  # px: the chart is drawn at its own size, never scaled down, so text stays 11 px


@dataclass
class TrendSeries:
    label: str
    values: list  # Decimal | None per year
    colour: str
    width: float = 2
    dashed: bool = False


def trend_chart(years: list[str], series: list[TrendSeries], *, width=320, plot_height=150) -> dict:
    """Geometry for reports/_trend_chart.svg: years along x, 0–100 % up y (ticks every 25 %),
    one polyline per series (a gap where a year has no value), a dot on each value, the legend
    under the plot. Sizes are pixels at which the chart is shown."""
    left, right, top = 42, 8, 8
    plot_width = width - left - right
    bottom = top + plot_height
    inset = 30  # the first and last year stand inside the plot, so that their labels fit

    def x_of(index):
        if len(years) == 1:
            return left + plot_width / 2
        return left + inset + (plot_width - 2 * inset) * index / (len(years) - 1)

    def y_of(value):
        return bottom - float(value) * plot_height / 100

    # Year labels: every one while they fit (a label is about 52 px wide), otherwise every other.
    step = 1
    if len(years) > 1:
        while (plot_width - 2 * inset) * step / (len(years) - 1) < 56 and step < len(years):
            step += 1
    x_labels = [
        {"x": round(x_of(i), 1), "label": label}
        for i, label in enumerate(years)
        if i % step == 0
    ]
    y_ticks = [{"y": round(y_of(p), 1), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]

    lines = []
    for s in series:
        segments, current, dots = [], [], []
        for index, value in enumerate(s.values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            point = (round(x_of(index), 1), round(y_of(value), 1))
            current.append(point)
            dots.append(point)
        if current:
            segments.append(current)
        lines.append({
            "label": s.label,
            "colour": s.colour,
            "width": s.width,
            "dash": "5 3" if s.dashed else "",
            "paths": [" ".join(f"{x},{y}" for x, y in segment) for segment in segments if len(segment) > 1],
            "dots": [{"x": x, "y": y} for x, y in dots],
        })

    per_row, key_width, key_height = max(1, width // 104), 104, 17
    legend_top = bottom + 32
    keys = [
        {
            "label": s.label,
            "colour": s.colour,
            "width": s.width,
            "dash": "5 3" if s.dashed else "",
            "x": 8 + (index % per_row) * key_width,
            "y": legend_top + (index // per_row) * key_height,
        }
        for index, s in enumerate(series)
    ]
    rows = (len(series) + per_row - 1) // per_row
    return {
        "width": width,
        "height": legend_top + rows * key_height + 2,
        "left": left,
        "right": left + plot_width,
        "top": top,
        "bottom": bottom,
        "label_x": left - 5,
        "year_y": bottom + 16,
        "x_labels": x_labels,
        "y_ticks": y_ticks,
        "lines": lines,
        "keys": keys,
        "font": TREND_FONT,
        "grid": TREND_GRID,
        "ink": MARKER,
    }


def trend_series(trend, industry_label: str) -> list[TrendSeries]:
    """What the chart of a reports.trend.Trend draws: the overall rate, each level, and the
    industry's overall mean where a release exists."""
    series = [TrendSeries(trend.overall.label, trend.overall.values, TREND_OVERALL, width=3)]
    for index, line in enumerate(trend.levels):
        series.append(TrendSeries(line.label, line.values, TREND_LEVELS[index % len(TREND_LEVELS)]))
    if trend.overall.has_industry:
        series.append(TrendSeries(industry_label, trend.overall.industry, TREND_INDUSTRY, dashed=True))
    return series
