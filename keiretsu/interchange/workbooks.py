"""Opening a workbook that someone sent, safely, and reading its sheets as plain grids.

Everything that is not a plain .xlsx is refused with a message for a person before any XML
is read: a file over the size limit, an old .xls, a password-protected file (an encrypted
workbook is an OLE container, not a zip), a macro workbook, a zip bomb (the zip directory's
declared sizes are checked first, and zipfile never yields more than an entry declares).

The workbook is then read here, not by openpyxl (which writes the exports): openpyxl's reader
builds an object per cell and parses every sheet property and style, while a checksheet
needs only its cells' values (and merged ranges), read in one streaming pass, within row
and column bounds, so that a sheet claiming a million rows costs nothing. Values follow
openpyxl's data_only reading: a formula's cached result, shared and inline strings
(phonetic guides left out), numbers, booleans, dates by their cell style. XML is parsed
by expat with defusedxml's rules: a document type or entity declaration is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.parsers import expat

import defusedxml
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from keiretsu.lib.refusals import BadInput
from keiretsu.lib.uploads import too_large_message

# What a real checksheet never comes near (a 153-item checksheet is ~40 KB zipped, ~400 KB
# unzipped), and what bounds the memory a hostile file can make us use.
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XML_PART_BYTES = 25 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB; text XML is ~10-20
MAX_ROWS = 5_000
MAX_COLUMNS = 64
MAX_SHEETS = 255
MAX_SHARED_STRINGS = 500_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
# The stream that holds an old .xls workbook (BIFF8; "Book" in Excel 5/95), named in the OLE directory.
OLE_WORKBOOK_STREAM = "Workbook".encode("utf-16-le")
OLE_BOOK_STREAM = "Book".encode("utf-16-le")
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb"}
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
# Built-in number formats that are dates: Excel's (14-22, 45-47) and the East Asian locales'
# (27-36, 50-58: 和暦 and 年月日 formats, which a Japanese workbook uses without declaring them).
DATE_FORMAT_IDS = {id_ for id_, code in BUILTIN_FORMATS.items() if is_date_format(code)} | set(range(27, 37)) | set(range(50, 59))


class WorkbookRefused(BadInput):
    """The file cannot be read as a checksheet; `message` says why, for a person."""


def max_upload_bytes() -> int:
    return settings.INTERCHANGE_MAX_UPLOAD_BYTES


def size_refusal(size: int) -> WorkbookRefused:
    return WorkbookRefused(too_large_message(size, max_upload_bytes()))


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


@dataclass
class _Sheet:
    title: str
    path: str
    state: str


class Workbook:
    """A checked workbook, read-only. Use as a context manager (it holds the zip open)."""

    def __init__(self, data: bytes, *, file_name: str = ""):
        self.file_name = file_name
        self.sha256 = sha256(data)
        self._archive, workbook_path = _open(data, file_name)
        try:
            self._read_structure(workbook_path)
        except WorkbookRefused:
            self.close()
            raise
        except (defusedxml.DefusedXmlException, expat.ExpatError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
            self.close()
            raise _damaged(exc) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._archive.close()

    @property
    def sheet_titles(self) -> list[str]:
        return [sheet.title for sheet in self._sheets]

    @property
    def active_first(self) -> list[str]:
        """The sheet titles, the one the workbook opens on first (where the table usually is)."""
        titles = self.sheet_titles
        if 0 <= self._active < len(titles):
            active = titles[self._active]
            return [active, *(title for title in titles if title != active)]
        return titles

    def sheet_state(self, title) -> str:
        return self._sheet(title).state

    def _sheet(self, title) -> _Sheet:
        for sheet in self._sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(title)

    def grid(self, title: str, *, fill_merged: bool = False, max_rows: int = MAX_ROWS) -> Grid:
        """The sheet's values; refuses the sheet (never reads it in part) when a cell, a row or its
        declared dimension goes past `max_rows` rows or MAX_COLUMNS columns."""
        sheet = self._sheet(title)
        reader = _SheetReader(self._shared, self._date_styles, self._epoch, max_rows=max_rows, with_merges=fill_merged)
        try:
            _parse(self._archive, sheet.path, reader)
        except _OutOfBounds as exc:
            raise WorkbookRefused(
                _("The sheet “%(sheet)s” goes beyond %(rows)s rows or %(columns)s columns (at %(cell)s): "
                  "a checksheet is never that large, so the file was not read. Delete what lies beyond the table "
                  "and save the file again.")
                % {"sheet": title, "rows": f"{max_rows:,}", "columns": MAX_COLUMNS, "cell": exc.cell}
            ) from None
        except (defusedxml.DefusedXmlException, expat.ExpatError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
            raise _damaged(exc) from None
        rows = reader.rows
        while rows and all(value in (None, "") for value in rows[-1]):
            rows.pop()
        grid = Grid(title=title, rows=rows, merged=reader.merged)
        if fill_merged:
            _fill_merged(grid)
        return grid

    def _read_structure(self, workbook_path: str):
        """Sheets (names, states, parts), the shared strings, which cell styles are dates."""
        book = _ElementCollector({"sheet", "workbookView", "workbookPr"})
        _parse(self._archive, workbook_path, book)
        relationships = _relationships(self._archive, workbook_path)
        self._sheets = []
        for attributes in book.found.get("sheet", [])[:MAX_SHEETS]:
            # r:id, in the transitional or the strict namespace
            rid = next((value for key, value in attributes.items() if key.endswith(" id")), "")
            target = relationships.get(rid)
            if target is None or not target[1].endswith("/worksheet"):
                continue  # a chart sheet, or a dangling reference: no cells
            self._sheets.append(_Sheet(attributes.get("name", ""), target[0], attributes.get("state", "visible")))
        views = book.found.get("workbookView", [])
        self._active = int(views[0].get("activeTab", "0")) if views else 0
        properties = book.found.get("workbookPr", [])
        self._epoch = MAC_EPOCH if properties and properties[0].get("date1904") in ("1", "true") else WINDOWS_EPOCH
        by_type = {kind.rsplit("/", 1)[-1]: path for path, kind in relationships.values()}
        self._shared = []
        if "sharedStrings" in by_type:
            strings = _SharedStrings()
            _parse(self._archive, by_type["sharedStrings"], strings)
            self._shared = strings.strings
        self._date_styles = set()
        if "styles" in by_type:
            styles = _Styles()
            _parse(self._archive, by_type["styles"], styles)
            self._date_styles = styles.date_styles()


# --- XML, streamed through expat with defusedxml's refusals --------------------------------


class _Stop(Exception):
    """Enough has been read (the rest is not needed)."""


class _OutOfBounds(Exception):
    """A cell, a row or the declared dimension lies past the reader's bounds."""

    def __init__(self, cell: str):
        super().__init__(cell)
        self.cell = cell


def _forbid_doctype(name, system_id, public_id, has_internal_subset):
    raise DTDForbidden(name, system_id, public_id)


def _forbid_entity(name, is_parameter_entity, value, base, system_id, public_id, notation_name):
    raise EntitiesForbidden(name, value, base, system_id, public_id, notation_name)


def _forbid_unparsed_entity(name, base, system_id, public_id, notation_name):
    raise EntitiesForbidden(name, None, base, system_id, public_id, notation_name)


def _forbid_external(context, base, system_id, public_id):
    raise ExternalReferenceForbidden(context, base, system_id, public_id)


def _parse(archive, path: str, handler):
    """Stream one part of the package through `handler` (start, end, data)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid_doctype
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    try:
        with archive.open(path) as source:
            while chunk := source.read(65536):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


class _ElementCollector:
    """Attributes of every element with one of the given local names."""

    def __init__(self, names):
        self.names = names
        self.found: dict[str, list[dict]] = {}

    def start(self, name, attributes):
        local = _local(name)
        if local in self.names:
            self.found.setdefault(local, []).append(attributes)

    def end(self, name):
        pass

    def data(self, text):
        pass


def _relationships(archive, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (the target's path in the package, the relationship type)."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    collector = _ElementCollector({"Relationship"})
    _parse(archive, rels_path, collector)
    result = {}
    for attributes in collector.found.get("Relationship", []):
        if attributes.get("TargetMode") == "External":
            continue
        target = attributes.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        result[attributes.get("Id", "")] = (path, attributes.get("Type", ""))
    return result


class _SharedStrings:
    """<si> texts: plain and rich runs, without phonetic guides (<rPh>)."""

    def __init__(self):
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.depth_phonetic = 0
        self.collect = False

    def start(self, name, attributes):
        local = _local(name)
        if local == "si":
            self.parts = []
        elif local == "rPh":
            self.depth_phonetic += 1
        elif local == "t" and not self.depth_phonetic:
            self.collect = True

    def end(self, name):
        local = _local(name)
        if local == "si":
            self.strings.append("".join(self.parts))
            if len(self.strings) > MAX_SHARED_STRINGS:
                raise ValueError("too many shared strings")
        elif local == "rPh":
            self.depth_phonetic -= 1
        elif local == "t":
            self.collect = False

    def data(self, text):
        if self.collect:
            self.parts.append(text)


class _Styles:
    """Which cell formats (<cellXfs><xf>) show a date: by built-in id or by format code."""

    def __init__(self):
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name, attributes):
        local = _local(name)
        if local == "numFmt":
            try:
                self.custom[int(attributes.get("numFmtId", "-1"))] = attributes.get("formatCode", "")
            except ValueError:
                pass
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs:
            try:
                self.cell_formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                self.cell_formats.append(0)

    def end(self, name):
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def data(self, text):
        pass

    def date_styles(self) -> set[int]:
        dates = set()
        for index, format_id in enumerate(self.cell_formats):
            code = self.custom.get(format_id)
            if (code is not None and is_date_format(code)) or (code is None and format_id in DATE_FORMAT_IDS):
                dates.add(index)
        return dates


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index


def _number(raw: str):
    # As openpyxl reads a number: a float when it has a point or an exponent.
    return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)


class _SheetReader:
    """A worksheet's cells, row by row, within the bounds; the merged ranges when asked."""

    def __init__(self, shared, date_styles, epoch, *, max_rows: int, with_merges: bool):
        self.shared, self.date_styles, self.epoch = shared, date_styles, epoch
        self.max_rows, self.with_merges = max_rows, with_merges
        self.rows: list[tuple] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.row_number = 0
        self.current: dict[int, object] = {}
        self.column = 0
        self.kind = self.style = None
        self.parts: list[str] = []
        self.value_text = None
        self.collect = False
        self.in_inline = False
        self.depth_phonetic = 0

    def start(self, name, attributes):
        local = _local(name)
        if local == "c":
            reference = attributes.get("r")
            self.column = _column_index(reference) if reference else self.column + 1
            if self.column > MAX_COLUMNS:
                raise _OutOfBounds(reference or f"{column_letter(min(self.column, 16384))}{self.row_number}")
            self.kind = attributes.get("t", "n")
            self.style = attributes.get("s")
            self.value_text = None
            self.parts = []
        elif local == "v":
            self.parts = []
            self.collect = True
        elif local == "is":
            self.in_inline = True
            self.parts = []
        elif local == "t":
            self.collect = self.in_inline and not self.depth_phonetic
        elif local == "rPh":
            self.depth_phonetic += 1
        elif local == "row":
            number = attributes.get("r")
            self.row_number = int(float(number)) if number else self.row_number + 1
            if self.row_number > self.max_rows:
                raise _OutOfBounds(_("row %(number)s") % {"number": f"{self.row_number:,}"})
            while len(self.rows) < self.row_number - 1:
                self.rows.append(())
            self.current, self.column = {}, 0
        elif local == "dimension":
            self._check_dimension(attributes.get("ref", ""))
        elif local == "mergeCell":
            try:
                self.merged.append(range_boundaries(attributes.get("ref", "")))
            except (TypeError, ValueError):
                pass
            if len(self.merged) > MAX_ROWS * 4:
                raise _Stop

    def end(self, name):
        local = _local(name)
        if local == "v":
            self.value_text = "".join(self.parts)
            self.collect = False
        elif local == "t":
            self.collect = False
        elif local == "rPh":
            self.depth_phonetic -= 1
        elif local == "is":
            self.in_inline = False
            self.value_text = "".join(self.parts)
        elif local == "c":
            value = self._value()
            if value is not None:
                self.current[self.column] = value
        elif local == "row":
            current = self.current
            width = max(current) if current else 0
            self.rows.append(tuple(current.get(c) for c in range(1, width + 1)))
            self.current = {}
        elif local == "sheetData" and not self.with_merges:
            raise _Stop  # merged ranges come after the cells

    def data(self, text):
        if self.collect:
            self.parts.append(text)

    def _check_dimension(self, ref: str):
        """The sheet's declared used range (e.g. "A1:XFD1048576") must lie within the bounds too."""
        last = ref.split(":")[-1].replace("$", "").upper()
        letters = "".join(ch for ch in last if ch.isalpha())
        digits = last[len(letters):]
        if not letters or not digits.isdigit():
            return  # no usable dimension: the cells themselves are checked
        if _column_index(letters) > MAX_COLUMNS or int(digits) > self.max_rows:
            raise _OutOfBounds(last)

    def _value(self):
        raw, kind = self.value_text, self.kind
        if kind == "inlineStr":
            return raw
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind == "n":
            value = _number(raw)
            if self.style and int(self.style) in self.date_styles:
                try:
                    return from_excel(value, self.epoch)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value
        if kind == "b":
            return bool(int(raw))
        return raw  # "str" (a formula's text result), "e" (an error such as #N/A), "d" (ISO date)


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


def _open(data: bytes, file_name: str) -> tuple[zipfile.ZipFile, str]:
    """The checked zip and the path of its workbook part."""
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
        if OLE_WORKBOOK_STREAM in data or OLE_BOOK_STREAM in data:
            raise WorkbookRefused(_("This is an old Excel 97–2003 file (.xls). Open it in Excel and save it as an Excel workbook (.xlsx)."))
        raise WorkbookRefused(
            _("This file is not a workbook Keiretsu can read. Open the checksheet in Excel and save it as an Excel workbook (.xlsx).")
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(_("The file is damaged or is not an Excel workbook. Open it in Excel and save it again as .xlsx.")) from None
    try:
        _check_entries(infos)
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names:
            raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
        content_types = _content_types(archive)
        kinds = set(content_types.values())
        if any("macroEnabled" in kind for kind in kinds) or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise WorkbookRefused(_("The workbook contains macros. Save it as an Excel workbook without macros (.xlsx) and upload that."))
        workbook = next((part for part, kind in content_types.items() if kind in WORKBOOK_TYPES), None)
        if workbook is None or workbook not in names:
            raise WorkbookRefused(_("This is not an Excel workbook (.xlsx). Upload the checksheet as an .xlsx file."))
    except WorkbookRefused:
        archive.close()
        raise
    return archive, workbook


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


def _content_types(archive) -> dict[str, str]:
    """Part path (without the leading /) -> content type, from the package's overrides."""
    collector = _ElementCollector({"Override", "Default"})
    try:
        _parse(archive, "[Content_Types].xml", collector)
    except (defusedxml.DefusedXmlException, expat.ExpatError, KeyError, zipfile.BadZipFile, OSError) as exc:
        raise _damaged(exc) from None
    types = {}
    for attributes in collector.found.get("Override", []):
        types[attributes.get("PartName", "").lstrip("/")] = attributes.get("ContentType", "")
    for attributes in collector.found.get("Default", []):
        types[f"*.{attributes.get('Extension', '')}"] = attributes.get("ContentType", "")
    return types


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
