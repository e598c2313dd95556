"""Bar charts for the PDF, as SVG that WeasyPrint draws itself (no chart library, no raster).

Colours are SVG attributes: the chart does not depend on a stylesheet reaching inside it.
"""

from dataclasses import dataclass
from decimal import Decimal

from keiretsu.lib.charts import band, bar_length

COLOURS = {"high": "#2f8f5b", "mid": "#d49a2a", "low": "#c8553d", "none": "#b9c1ce"}
TRACK = "#edf0f5"
MARKER = "#1d2433"


@dataclass
class Bar:
    label: str
    value: Decimal | None
    marker: Decimal | None = None  # the industry average, drawn as a tick


def bar_chart(bars: list[Bar], *, label_width=128, bar_width=150, row_height=19, label_chars=11) -> dict:
    """Geometry for reports/_bar_chart.svg: one row per bar, the value printed after it."""
    top = 4
    rows = []
    for index, bar in enumerate(bars):
        y = top + index * row_height
        label = bar.label if len(bar.label) <= label_chars else bar.label[: label_chars - 1] + "…"
        rows.append({
            "label": label,
            "full_label": bar.label,
            "y": y + 2,
            "text_y": y + row_height - 5,
            "width": round(bar_length(bar.value, bar_width), 1),
            "colour": COLOURS[band(bar.value)],
            "value": bar.value,
            "marker_x": None if bar.marker is None else round(label_width + 8 + bar_length(bar.marker, bar_width), 1),
            "marker_top": y,
            "marker_bottom": y + row_height - 1,
        })
    return {
        "rows": rows,
        "height": top * 2 + len(bars) * row_height,
        "label_x": label_width,
        "bar_x": label_width + 8,
        "bar_width": bar_width,
        "bar_height": row_height - 6,
        "value_x": label_width + 8 + bar_width + 6,
        "width": label_width + bar_width + 58,
        "track": TRACK,
        "marker": MARKER,
        "has_markers": any(bar.marker is not None for bar in bars),
    }
