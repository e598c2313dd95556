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
