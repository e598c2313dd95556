"""Supplier lists as CSV: reading an uploaded file (validated whole) and writing the export.

Japanese Excel saves "CSV" as Shift_JIS (cp932); newer versions offer UTF-8, with a byte-order
mark. All three are read. Columns are found by their header, in English or Japanese, in any
order; every row is checked before anything is written, and every problem is reported with
its row (as numbered in a spreadsheet: the header is row 1) and column.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keiretsu.accounts.models import normalise_email
from keiretsu.lib import corporate_number, score_headings

from .models import Criticality, SupplierStatus
from .selectors.suppliers import Registration
from .templatetags.supplychain import one_decimal

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024

# column key -> (label shown in errors, accepted headers, required)
COLUMNS = {
    "name": (
        gettext_lazy("company name"),
        ("company name", "company", "name", "会社名", "企業名", "社名", "取引先名", "仕入先名"),
        True,
    ),
    "corporate_number": (gettext_lazy("corporate number"), ("corporate number", "corporate_number", "法人番号"), True),
    "contact_email": (
        gettext_lazy("contact e-mail"),
        (
            "contact e-mail",
            "contact email",
            "e-mail",
            "email",
            "mail",
            "メールアドレス",
            "担当者メールアドレス",
            "連絡先メールアドレス",
            "メール",
        ),
        True,
    ),
    "criticality": (gettext_lazy("criticality"), ("criticality", "重要度"), False),
    "note": (gettext_lazy("note"), ("note", "notes", "備考", "メモ"), False),
    "language": (gettext_lazy("language"), ("language", "言語"), False),
}

CRITICALITY_WORDS = {
    Criticality.HIGH: ("high", "h", "高", "高い", "1"),
    Criticality.MEDIUM: ("medium", "m", "中", "普通", "2", ""),
    Criticality.LOW: ("low", "l", "低", "低い", "3"),
}
LANGUAGE_WORDS = {"ja": ("ja", "japanese", "日本語", ""), "en": ("en", "english", "英語")}


@dataclass
class SupplierRow:
    row: int
    name: str
    corporate_number: str
    contact_email: str
    criticality: int
    note: str
    language: str


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ParsedFile:
    rows: list[SupplierRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""


def decode(data: bytes) -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp932"), "cp932"


def _header_key(text: str) -> str | None:
    cleaned = " ".join(text.replace("_", " ").replace("\u3000", " ").split()).lower()
    for key, (_label, names, _required) in COLUMNS.items():
        if cleaned in names or cleaned.replace(" ", "") in {n.replace(" ", "") for n in names}:
            return key
    return None


def _lookup(words: dict, value: str):
    cleaned = value.strip().lower()
    for result, accepted in words.items():
        if cleaned in accepted:
            return result
    return None


def parse(data: bytes, *, existing_numbers: set[str], own_number: str) -> ParsedFile:
    """Read and check a whole supplier file. `existing_numbers`: corporate numbers already on
    the list; `own_number`: the importing organisation's own (a company is not its own supplier)."""
    result = ParsedFile()
    if len(data) > MAX_BYTES:
        result.problems.append(Problem(None, "", _("The file is larger than 2 MB. Split it into several files.")))
        return result
    try:
        text, result.encoding = decode(data)
    except UnicodeDecodeError:
        result.problems.append(
            Problem(
                None, "", _("The file could not be read as text. Save it as CSV (UTF-8 or Shift_JIS) and try again.")
            )
        )
        return result
    try:
        records = _numbered_rows(text)
    except csv.Error:
        result.problems.append(Problem(None, "", _("The file is not a valid CSV file.")))
        return result
    if not records:
        result.problems.append(Problem(None, "", _("The file is empty.")))
        return result

    header = records[0][1]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        if key and key not in positions:
            positions[key] = index
    missing = [str(label) for key, (label, _names, required) in COLUMNS.items() if required and key not in positions]
    if missing:
        result.problems.append(
            Problem(
                None,
                "",
                _("The first row must name the columns. Missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
        return result
    if len(records) - 1 > MAX_ROWS:
        result.problems.append(Problem(None, "", _("At most %(n)s suppliers per file.") % {"n": MAX_ROWS}))
        return result

    first_row_of: dict[str, int] = {}
    for row_number, cells in records[1:]:
        row = _check_row(row_number, cells, positions, first_row_of, existing_numbers, own_number, result.problems)
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, "", _("The file has a header row but no supplier.")))
    return result


def _check_row(row_number, cells, positions, first_row_of, existing_numbers, own_number, problems) -> SupplierRow:
    """One data row, with its problems appended to `problems`."""

    def cell(key):
        index = positions.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def problem(key, message):
        problems.append(Problem(row_number, str(COLUMNS[key][0]), message))

    name = cell("name")
    if not name:
        problem("name", _("The company name is missing."))
    elif len(name) > 200:
        problem("name", _("The company name is longer than 200 characters."))

    raw_number = cell("corporate_number")
    number = corporate_number.normalise(raw_number)
    if not raw_number:
        problem("corporate_number", _("The corporate number is missing."))
        number = ""
    elif len(number) != 13 or not number.isdigit():
        problem("corporate_number", _("A corporate number has 13 digits."))
        number = ""
    elif not corporate_number.is_valid(number):
        problem("corporate_number", _("The check digit is wrong: please check the number."))
        number = ""
    elif number == own_number:
        problem("corporate_number", _("This is your own organisation's corporate number."))
    elif number in existing_numbers:
        problem("corporate_number", _("This supplier is already on your list."))
    elif number in first_row_of:
        problem(
            "corporate_number",
            _("The same corporate number is on row %(row)s of this file.") % {"row": first_row_of[number]},
        )
    if number and number not in first_row_of:
        first_row_of[number] = row_number

    email = cell("contact_email")
    if not email:
        problem("contact_email", _("The contact e-mail address is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problem("contact_email", _("This is not a valid e-mail address."))

    criticality = _lookup(CRITICALITY_WORDS, cell("criticality"))
    if criticality is None:
        problem("criticality", _("Write high, medium or low (高, 中 or 低)."))

    language = _lookup(LANGUAGE_WORDS, cell("language"))
    if language is None:
        problem("language", _("Write ja or en."))

    note = cell("note")
    if len(note) > 2000:
        problem("note", _("The note is longer than 2,000 characters."))

    return SupplierRow(
        row=row_number,
        name=name,
        corporate_number=number,
        contact_email=normalise_email(email),
        criticality=criticality or Criticality.MEDIUM,
        note=note,
        language=language or "ja",
    )


def _numbered_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank records, each with its row number as a spreadsheet shows it (a cell with a
    line break is still one row; blank rows keep their number)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(number, cells) for number, cells in enumerate(reader, start=1) if any(c.strip() for c in cells)]


# --- Export ------------------------------------------------------------------------------------


def supplier_list(rows, focus) -> tuple[list[str], Iterator[list]]:
    """The customer's supplier list as shown (selectors.supplier_rows): its header and its rows,
    for the CSV and the workbook, which lib.spreadsheets writes (formula-safe)."""
    header = [
        _("Company name"),
        _("Corporate number"),
        _("Contact e-mail"),
        _("Criticality"),
        _("Note"),
        _("Fiscal year"),
        _("Guideline edition"),
        _("Status"),
        _("Due date"),
        score_headings.LEVEL_ATTAINED,
        score_headings.ACHIEVEMENT_RATE,
        _("Weak link"),
        _("Shared on"),
        _("Last activity"),
        _("On Keiretsu"),
    ]
    edition = str(focus.edition) if focus.edition else ""

    def lines():
        for row in rows.iterator():
            shared = row.share_id is not None
            yield [
                row.name,
                row.corporate_number,
                row.contact_email,
                Criticality(row.criticality).label,
                row.note,
                focus.fiscal_year,
                edition,
                SupplierStatus(row.status).label,
                row.due_date.isoformat() if row.due_date else "",
                (row.share_level or _("not attained")) if shared and row.share_has_levels else "",
                one_decimal(row.share_rate) if shared and row.share_rate is not None else "",
                (_("yes") if row.share_weak else _("no")) if shared else "",
                timezone.localtime(row.shared_at).strftime("%Y-%m-%d") if row.shared_at else "",
                timezone.localtime(row.last_activity).strftime("%Y-%m-%d %H:%M") if row.last_activity else "",
                Registration.label(row.registration),
            ]

    return [str(h) for h in header], lines()
