"""Writing text into spreadsheets so that it stays text (formula injection).

A cell that begins with = + - @ or a tab or carriage return is a formula to Excel and
LibreOffice when typed or opened from CSV ("=HYPERLINK(...)", "@SUM(...)"). Answers, item
text and company names come from people: every exported cell goes through these helpers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def put(cell, value):
    """Write `value` into an openpyxl cell; text that Excel could run is written as text.

    The cell is a string cell (never a formula) with the "quote prefix" set, which is how
    Excel itself stores text typed as '=...: it shows the text, and keeps it text on editing.
    The value is not changed, so the file reads back exactly (round trip).
    """
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def csv_safe(value) -> str:
    """A CSV field: text Excel could run gets a leading apostrophe, as OWASP recommends."""
    if value is None:
        return ""
    value = str(value)
    return "'" + value if is_formula_like(value) else value
