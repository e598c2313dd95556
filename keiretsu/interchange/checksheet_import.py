"""Reading a filled checksheet and checking all of it against an edition. Writes nothing.

Every problem is collected (not only the first), each with its sheet, row and column, so a
supplier fixes the file in one round. The rules are the ones the web page applies to an
answer (assessments.services.answer_save): a symbol of the edition's scale or one of its
aliases, an item of the edition. As on the web page, a rating that needs a reason may come
without one (a draft: a warning here, an error only when submitting). The file is the whole
checksheet: every item must be there, once. A sheet of another edition is said to be so once,
in the edition's name, not row by row.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keiretsu.assessments.models import Answer
from keiretsu.catalogue.models import Edition, Item

from . import headings
from .checksheet_export import FORMAT, METADATA_SHEET
from .workbooks import Workbook, WorkbookRefused, sha256, text

MAX_TEXT = Answer.MAX_TEXT  # as the form and the API (assessments.services.answer_save)
TEXT_FIELDS = ("condition", "requirement", "criteria", "title")


@dataclass
class Problem:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class FileAnswer:
    number: str
    row: int
    rating: str
    reason: str
    comment: str


@dataclass
class ReadChecksheet:
    file_name: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    sheet: str = ""
    header_row: int | None = None
    answers: dict[str, FileAnswer] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_metadata(book: Workbook) -> dict[str, str]:
    if METADATA_SHEET not in book.sheet_titles:
        return {}
    grid = book.grid(METADATA_SHEET, max_rows=100)
    return {text(row[0]): text(row[1]) for row in grid.rows if len(row) > 1 and text(row[0])}


def read_checksheet(data: bytes, *, file_name: str, edition: Edition, items: list[Item]) -> ReadChecksheet:
    try:
        with Workbook(data, file_name=file_name) as book:
            return read_open_checksheet(book, edition=edition, items=items)
    except WorkbookRefused as exc:
        return ReadChecksheet(file_name=file_name, sha256=sha256(data), problems=[Problem(exc.message)])


def read_open_checksheet(book: Workbook, *, edition: Edition, items: list[Item], metadata=None) -> ReadChecksheet:
    """As read_checksheet, for a workbook already open (the command line reads its metadata first)."""
    result = ReadChecksheet(file_name=book.file_name, sha256=book.sha256)
    try:
        result.metadata = read_metadata(book) if metadata is None else metadata
        _check_edition(result, edition)
        if result.problems:  # another edition's sheet: said once, its rows are not this edition's
            return result
        # The sheet the workbook opens on, then the others, until one has the whole table.
        header, grid = None, None
        for title in book.active_first:
            if title == METADATA_SHEET:
                continue
            candidate = book.grid(title)
            found = headings.find_header([candidate], required=("number", "rating"), wanted=("reason", "comment"))
            if found and (header is None or len(found.columns) > len(header.columns)):
                header, grid = found, candidate
            if header and all(header.has(name) for name in ("reason", "comment")):
                break
        if header is None:
            result.problems.append(Problem(
                _("No table with the columns “No.” and “Rating” was found. Upload the checksheet exported for this assessment.")
            ))
            return result
    except WorkbookRefused as exc:
        result.problems.append(Problem(exc.message))
        return result
    result.sheet, result.header_row = header.sheet, header.row
    _read_rows(result, grid, header, edition, items)
    return result


def _check_edition(result: ReadChecksheet, edition: Edition):
    meta = result.metadata
    if not meta:
        result.warnings.append(
            _("The file does not say which edition it was made for: its items were matched by number and text.")
        )
        return
    if not meta.get("format", "").startswith("keiretsu-checksheet/"):
        result.problems.append(Problem(_("The file's hidden sheet “%(sheet)s” is not one Keiretsu wrote.") % {"sheet": METADATA_SHEET}))
        return
    if meta["format"] != FORMAT:
        result.problems.append(Problem(_("The file was written by a newer version of Keiretsu; export it again from this instance.")))
        return
    if (meta.get("guideline"), meta.get("edition")) != (edition.guideline.slug, edition.code):
        result.problems.append(Problem(
            _("This checksheet is for another guideline edition (%(file)s), but this assessment uses %(edition)s. "
              "Download the checksheet from this assessment's page, fill it in and upload that one.")
            % {"file": _edition_name(meta), "edition": _readable(edition)}
        ))
    elif meta.get("edition_hash") and meta["edition_hash"] != edition.content_hash:
        result.problems.append(Problem(
            _("This checksheet is for %(file)s, but with a text different from the one loaded here. "
              "Download the checksheet from this assessment's page, fill it in and upload that one.")
            % {"file": _readable(edition)}
        ))


def _readable(edition: Edition) -> str:
    return str(edition)  # the guideline's and the edition's titles, as everywhere


def _edition_name(meta: dict[str, str]) -> str:
    """The edition a file names, as people call it: the loaded edition's title, else what the
    file says about itself."""
    named = Edition.objects.select_related("guideline").filter(
        guideline__slug=meta.get("guideline", ""), code=meta.get("edition", "")).first()
    if named:
        return _readable(named)
    return meta.get("edition_title") or f"{meta.get('guideline', '')} {meta.get('edition', '')}".strip()


def _read_rows(result: ReadChecksheet, grid, header: headings.Header, edition: Edition, items: list[Item]):
    scale = edition.rating_scale
    by_number = {item.number: item for item in items}
    sheet = header.sheet
    col = header.columns
    compare = None if result.metadata else next((name for name in TEXT_FIELDS if name in col), None)
    first_row: dict[str, int] = {}
    problems = result.problems
    lacking_reason: list[str] = []
    other_text: list[tuple[str, int]] = []  # (number, row): text differing from the edition's

    def cell(row, name):
        return grid.value(row, col[name]) if name in col else None

    for row in range(header.row + 1, grid.height + 1):
        raw_number = cell(row, "number")
        rating_text = text(cell(row, "rating"))
        reason = text(cell(row, "reason"))
        comment = text(cell(row, "comment"))
        answered = bool(rating_text or reason or comment)
        if text(raw_number) == "":
            if answered:
                problems.append(Problem(_("This row has an answer but no item number."), sheet, row, header.letter("number")))
            continue
        number = headings.item_number(raw_number)
        if number is None:
            if answered:
                problems.append(Problem(
                    _("“%(value)s” is not an item number.") % {"value": text(raw_number)[:30]}, sheet, row, header.letter("number")
                ))
            continue  # a heading or note row inside the table
        if number not in by_number:
            problems.append(Problem(
                _("No.%(number)s is not an item of %(edition)s.") % {"number": number, "edition": edition},
                sheet, row, header.letter("number"),
            ))
            continue
        if number in first_row:
            problems.append(Problem(
                _("No.%(number)s appears twice (also on row %(row)s).") % {"number": number, "row": first_row[number]},
                sheet, row, header.letter("number"),
            ))
            continue
        first_row[number] = row
        symbol = ""
        if rating_text:
            symbol = scale.normalise(rating_text)
            if symbol is None:
                problems.append(Problem(
                    _("“%(rating)s” is not a rating of this edition. Choose one of: %(symbols)s")
                    % {"rating": rating_text[:20], "symbols": " ".join(scale.codes)},
                    sheet, row, header.letter("rating"),
                ))
                symbol = ""
        if symbol and scale.lacks_reason(symbol, reason):
            lacking_reason.append(number)
        for name, value in (("reason", reason), ("comment", comment)):
            if len(value) > MAX_TEXT:
                problems.append(Problem(
                    _("The text is too long (%(length)s characters; at most %(limit)s).") % {"length": len(value), "limit": MAX_TEXT},
                    sheet, row, header.letter(name),
                ))
        if compare and not headings.same_text(text(cell(row, compare)), getattr(by_number[number], compare)):
            other_text.append((number, row))
        result.answers[number] = FileAnswer(number, row, symbol, reason, comment)

    if other_text:  # said once: a sheet of another edition differs on most of its rows
        numbers = ", ".join(f"No.{n}" for n, _row in other_text[:5]) + (" …" if len(other_text) > 5 else "")
        problems.append(Problem(
            ngettext(
                "The text of %(count)s item differs from %(edition)s (%(numbers)s): this sheet seems to be for "
                "another guideline edition. Download the checksheet from this assessment's page and fill that one.",
                "The text of %(count)s items differs from %(edition)s (%(numbers)s): this sheet seems to be for "
                "another guideline edition. Download the checksheet from this assessment's page and fill that one.",
                len(other_text),
            ) % {"count": len(other_text), "edition": _readable(edition), "numbers": numbers},
            sheet, other_text[0][1] if len(other_text) == 1 else None, header.letter(compare),
        ))
    if lacking_reason:
        symbols = " ".join(sorted(scale.requires_reason))
        numbers = ", ".join(f"No.{n}" for n in lacking_reason[:10]) + (" …" if len(lacking_reason) > 10 else "")
        result.warnings.append(
            ngettext(
                "%(count)s item rated %(symbols)s has no reason yet (%(numbers)s). It is imported as a draft: "
                "write the reason before submitting.",
                "%(count)s items rated %(symbols)s have no reason yet (%(numbers)s). They are imported as a draft: "
                "write the reasons before submitting.",
                len(lacking_reason),
            ) % {"count": len(lacking_reason), "symbols": symbols, "numbers": numbers}
        )

    missing = [item.number for item in items if item.number not in first_row]
    if missing:
        shown = ", ".join(f"No.{n}" for n in missing[:20]) + (" …" if len(missing) > 20 else "")
        problems.append(Problem(
            _("%(count)s items of the edition are missing from the file: %(numbers)s") % {"count": len(missing), "numbers": shown},
            sheet, None, header.letter("number"),
        ))
