"""Opening a workbook that someone sent, safely, and reading its sheets as plain grids.

Everything that is not a plain .xlsx is refused with a message for a person before openpyxl
reads a byte of XML: a file over the size limit, an old .xls, a password-protected file (an
encrypted workbook is an OLE container, not a zip), a macro workbook, a zip bomb (the zip
directory's declared sizes are checked first, and zipfile never yields more than an entry
declares). Sheets are then read in openpyxl's streaming read-only mode, within row and
column bounds, so that a sheet claiming a million rows costs nothing. XML is parsed by
defusedxml (openpyxl uses it when it is installed): entity declarations are refused.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

# What a real checksheet never comes near (a 153-item checksheet is ~40 KB zipped, ~400 KB
# unzipped), and what bounds the memory a hostile file can make us use.
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XML_PART_BYTES = 25 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB; text XML is ~10-20
MAX_ROWS = 5_000
MAX_COLUMNS = 64

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb"}
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}


class WorkbookRefused(Exception):
    """The file cannot be read as a checksheet; `message` says why, for a person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_upload_bytes() -> int:
    return settings.INTERCHANGE_MAX_UPLOAD_BYTES


def size_refusal(size: int) -> WorkbookRefused:
    limit = max_upload_bytes()
    return WorkbookRefused(
        _("The file is too large (%(size)s MB). The limit is %(limit)s MB.")
        % {"size": f"{size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
    )


def read_limited(stream, *, size: int | None = None) -> bytes:
    """The bytes of an uploaded or opened file, refusing one over the size limit without reading it all."""
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise size_refusal(size)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise size_refusal(size or len(data))
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Grid:
    """One sheet's cell values (1-based rows and columns), with merged cells filled in."""

    title: str
    rows: list[tuple]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row

    def value(self, row: int, column: int):
        if row < 1 or row > len(self.rows):
            return None
        cells = self.rows[row - 1]
        return cells[column - 1] if column <= len(cells) else None

    @property
    def height(self) -> int:
        return len(self.rows)

    def continues_merge(self, row: int, column: int) -> bool:
        """Is this cell inside a merged range that began on an earlier row?"""
        return any(
            min_row < row <= max_row and min_col <= column <= max_col
            for min_col, min_row, max_col, max_row in self.merged
            if min_row is not None
        )


class Workbook:
    """A checked workbook, read-only. Use as a context manager (it holds the zip open)."""

    def __init__(self, data: bytes, *, file_name: str = ""):
        self.file_name = file_name
        self.sha256 = sha256(data)
        self._book = _open(data, file_name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._book.close()

    @property
    def sheet_titles(self) -> list[str]:
        return list(self._book.sheetnames)

    def sheet_state(self, title) -> str:
        return self._book[title].sheet_state

    def grid(self, title: str, *, fill_merged: bool = False, max_rows: int = MAX_ROWS) -> Grid:
        """The sheet's values within the bounds; refuses a sheet with data past MAX_ROWS."""
        sheet = self._book[title]
        rows = []
        try:
            for values in sheet.iter_rows(max_row=max_rows + 1, max_col=MAX_COLUMNS, values_only=True):
                end = len(values)
                while end and values[end - 1] is None:
                    end -= 1
                rows.append(tuple(values[:end]))
        except (ParseError, defusedxml.DefusedXmlException, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise _damaged(exc) from None
        if len(rows) > max_rows:
            if any(value not in (None, "") for value in rows[max_rows]):
                raise WorkbookRefused(
                    _("The sheet “%(sheet)s” has more than %(limit)s rows: this is not a checksheet.")
                    % {"sheet": title, "limit": max_rows}
                )
            rows = rows[:max_rows]
        while rows and all(value in (None, "") for value in rows[-1]):
            rows.pop()
        grid = Grid(title=title, rows=rows)
        if fill_merged:
            grid.merged = self._merged_ranges(sheet)
            _fill_merged(grid)
        return grid

    def _merged_ranges(self, sheet) -> list[tuple[int, int, int, int]]:
        # Read-only worksheets do not expose merged cells: read <mergeCell ref=…> from the
        # sheet's XML, streaming (they come after the cells).
        ranges = []
        try:
            with self._book._archive.open(sheet._worksheet_path) as source:
                for _event, element in defusedxml.ElementTree.iterparse(source):
                    if element.tag == f"{MAIN_NS}mergeCell":
                        ref = element.get("ref", "")
                        try:
                            ranges.append(range_boundaries(ref))
                        except (TypeError, ValueError):
                            pass
                    element.clear()
                    if len(ranges) > MAX_ROWS * 4:
                        break
        except (ParseError, defusedxml.DefusedXmlException, KeyError, zipfile.BadZipFile) as exc:
            raise _damaged(exc) from None
        return ranges


def _fill_merged(grid: Grid):
    """Give every cell of a merged range the value of its top-left cell, within the grid's bounds."""
    rows = [list(row) for row in grid.rows]
    for min_col, min_row, max_col, max_row in grid.merged:
        if min_row is None or min_col is None or min_row > len(rows):
            continue
        value = grid.value(min_row, min_col)
        for r in range(min_row, min(max_row, len(rows)) + 1):
            row = rows[r - 1]
            for c in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                if c > len(row):
                    row.extend([None] * (c - len(row)))
                row[c - 1] = value
    grid.rows = [tuple(row) for row in rows]


def column_letter(index: int) -> str:
    return get_column_letter(index)


def _damaged(exc) -> WorkbookRefused:
    if isinstance(exc, defusedxml.DefusedXmlException):
        return WorkbookRefused(
            _("The file contains XML entity or external reference declarations, which are refused for safety. "
              "Open it in Excel and save it again as an .xlsx workbook.")
        )
    return WorkbookRefused(_("The file is damaged or is not an Excel workbook. Open it in Excel and save it again as .xlsx."))


def _open(data: bytes, file_name: str):
    suffix = PurePath(file_name).suffix.lower()
    if len(data) > max_upload_bytes():
        raise size_refusal(len(data))
    if not data:
        raise WorkbookRefused(_("The file is empty."))
    if suffix in MACRO_SUFFIXES:
        raise WorkbookRefused(
            _("Macro-enabled and binary workbooks (%(suffix)s) are not accepted. Save the file as an Excel workbook (.xlsx).")
            % {"suffix": suffix}
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise WorkbookRefused(
                _("The file is protected with a password. Open it in Excel, remove the password "
                  "(File › Info › Protect Workbook › Encrypt with Password) and save it again.")
            )
        raise WorkbookRefused(_("This is an old Excel 97–2003 file (.xls). Open it in Excel and save it as an Excel workbook (.xlsx)."))
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(_("The file is damaged or is not an Excel workbook. Open it in Excel and save it again as .xlsx.")) from None
    _check_entries(infos)
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
    content_types = _content_types(archive)
    if any("macroEnabled" in ct for ct in content_types) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise WorkbookRefused(_("The workbook contains macros. Save it as an Excel workbook without macros (.xlsx) and upload that."))
    if not WORKBOOK_TYPES & set(content_types):
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
    archive.close()
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except defusedxml.DefusedXmlException as exc:
        raise _damaged(exc) from None
    except Exception as exc:  # openpyxl raises many kinds of errors for a malformed part
        cause = exc.__cause__ if isinstance(exc.__cause__, defusedxml.DefusedXmlException) else exc
        raise _damaged(cause) from None


def _check_entries(infos):
    if len(infos) > MAX_ENTRIES:
        raise WorkbookRefused(_("The file has too many parts to be a checksheet."))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookRefused(_("The file is protected with a password. Remove the password in Excel and save it again."))
        total += info.file_size
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        too_big = is_xml and info.file_size > MAX_XML_PART_BYTES
        too_dense = info.file_size > 1_048_576 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if too_big or too_dense or total > MAX_UNCOMPRESSED_BYTES:
            raise WorkbookRefused(
                _("The file expands to far more data than a checksheet holds (a “zip bomb”, or a sheet of absurd size). "
                  "It was not read.")
            )


def _content_types(archive) -> list[str]:
    try:
        with archive.open("[Content_Types].xml") as source:
            root = defusedxml.ElementTree.parse(source).getroot()
    except defusedxml.DefusedXmlException as exc:
        raise _damaged(exc) from None
    except (ParseError, KeyError, zipfile.BadZipFile, OSError) as exc:
        raise _damaged(exc) from None
    return [
        element.get("ContentType", "")
        for element in root
        if element.tag in (f"{CONTENT_TYPES_NS}Override", f"{CONTENT_TYPES_NS}Default")
    ]


def text(value) -> str:
    """A cell value as the text a person sees: numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)
