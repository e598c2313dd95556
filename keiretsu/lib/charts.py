"""What every bar chart shares (the web pages' SVG, the benchmark's charts, the PDF): how long a
bar is for a percentage, and its colour band. Each chart lays out its own rows and labels."""

from decimal import Decimal

# Colour bands of a percentage (CSS classes on the pages, fill colours in the PDF).
HIGH, MID = 80, 50


def band(value: Decimal | None) -> str:
    """ "high" (80 % and over), "mid" (50 % and over), "low", or "none" for an undefined rate."""
    if value is None:
        return "none"
    if value >= HIGH:
        return "high"
    if value >= MID:
        return "mid"
    return "low"


def bar_length(value: Decimal | None, full: float) -> float:
    """The length of a bar for a percentage on an axis `full` long (0 for an undefined rate)."""
    return 0 if value is None else float(value) * full / 100
