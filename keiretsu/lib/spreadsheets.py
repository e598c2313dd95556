"""Every CSV and Excel workbook Keiretsu writes goes through here, so that text stays text.

A cell that begins with = + - @ or a tab or carriage return is a formula to Excel and
LibreOffice when typed or opened from CSV ("=HYPERLINK(...)", "@SUM(...)"). Answers, item
text, company and supplier names come from people: `csv_bytes` / `csv_response` write CSV
(UTF-8 with a byte order mark for Japanese Excel, CRLF, each field through `csv_safe`),
`put` writes a workbook cell, `table_xlsx` a one-sheet table workbook. A test walks every
download URL with hostile values (keiretsu/tests/test_downloads.py).
"""

import csv
import io

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def put(cell, value):
    """Write `value` into an openpyxl cell; text that Excel could run is written as text.

    The cell is a string cell (never a formula) with the "quote prefix" set, which is how
    Excel itself stores text typed as '=...: it shows the text, and keeps it text on editing.
    The value is not changed, so the file reads back exactly (round trip).
    """
    if isinstance(value, Promise):
        value = str(value)  # a lazily translated label
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def formula(cell, expression: str):
    """Write one of Keiretsu's own formulas (never text from a person: that goes through `put`).

    `expression` is the formula without its leading "=". Text inside it comes from
    `formula_text`, which quotes it as a string literal, so it can never run.
    """
    cell.value = "=" + expression
    cell.data_type = "f"
    return cell


def formula_text(value) -> str:
    """A string literal for a formula: "…" with its double quotes doubled."""
    return '"' + str(value).replace('"', '""') + '"'


def csv_safe(value) -> str:
    """A CSV field: text Excel could run gets a leading apostrophe, as OWASP recommends."""
    if value is None:
        return ""
    value = str(value)
    return "'" + value if is_formula_like(value) else value


BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(rows) -> bytes:
    """Rows (the first is usually the header) as CSV for Japanese Excel, every field made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def csv_response(rows, file_name: str) -> HttpResponse:
    return download(csv_bytes(rows), "text/csv; charset=utf-8", file_name)


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


def table_xlsx(title: str, header: list, rows, *, text_columns=(), widths=None) -> bytes:
    """A one-sheet workbook: the header row, then the rows. Columns in `text_columns` (0-based)
    are written as text (number format "@"), so a 13-digit corporate number stays 13 digits
    instead of becoming 6.01235E+12."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for column, heading in enumerate(header, start=1):
        cell = put(sheet.cell(1, column), str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    text = set(text_columns)
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row):
            cell = sheet.cell(row_number, index + 1)
            if index in text:
                value = "" if value is None else str(value)
                cell.number_format = "@"
            put(cell, value)
            if index in text:
                cell.data_type = "s"
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    return download(content, XLSX, file_name)
