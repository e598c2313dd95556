"""An assessment as an Excel checksheet: cover, items in checksheet layout, summary.

The items sheet is the one people fill in offline: the rating column offers the edition's
symbols in a drop-down, the reason cell turns red while a rating that needs a reason has
none, the header row stays frozen and prints on every A4 page, an autofilter sits on the
heading row, and only the rating, reason and comment columns can be edited (the sheet is
protected without a password: it keeps the questions from being changed by accident, nothing
more). Every figure of the summary and the cover's progress is an Excel formula over the
rating column (`_Figures`), so the workbook scores itself while someone fills it in offline;
the formulas restate `programme/scoring.py` for one workbook, and a test recalculates them in
LibreOffice and compares every figure with `score()`. Text from people is still written as
text (`lib.spreadsheets.put`); only these formulas are formulas. A very hidden sheet carries
what the import needs to recognise the file (edition, assessment); the import itself reads
the items sheet by its headings, so moved columns or inserted rows do not matter.
"""

from __future__ import annotations

import io
import math
import unicodedata
from copy import copy

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from keiretsu.lib import score_headings
from keiretsu.lib.fiscal_year import fiscal_year_label as fiscal_year_text
from keiretsu.lib.fiscal_year import separator
from keiretsu.lib.spreadsheets import formula, formula_text, put
from keiretsu.programme.scoring import Scale

from .selectors import AssessmentData

FORMAT = "keiretsu-checksheet/1"
METADATA_SHEET = "_keiretsu"
FONT_NAME = "游ゴシック"  # Japanese Excel's default; LibreOffice falls back to Noto Sans CJK JP
PERCENT_FORMAT = '0.0"%"'  # the value is scoring.percent()'s figure (66.7), shown as on the web page
UNDEFINED = "－"  # a rate over no applicable item: never 0 % nor 100 %

INK = "1D2433"
LINE = Side(style="thin", color="B9C1CE")
BORDER = Border(left=LINE, right=LINE, top=LINE, bottom=LINE)
HEADER_FILL = PatternFill("solid", fgColor="DCE5F1")
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")
MISSING_REASON_FILL = PatternFill("solid", bgColor="F8C9C3")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
CENTRE_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)
BODY_FONT = Font(name=FONT_NAME, size=10, color=INK)
BOLD_FONT = Font(name=FONT_NAME, size=10, bold=True, color=INK)
RATING_FONT = Font(name=FONT_NAME, size=12, bold=True, color=INK)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True, color="1F3A5F")
SUBTITLE_FONT = Font(name=FONT_NAME, size=12, bold=True, color="1F3A5F")


LINE_HEIGHT = 14.5  # points per line of 10 pt Japanese text
MAX_ROW_HEIGHT = 409  # Excel's limit


def text_lines(value, width: float) -> int:
    """How many lines `value` takes wrapped in a column `width` characters wide.

    LibreOffice does not fit row heights to wrapped text when it opens a file (Excel does),
    so the heights are written: full-width characters count double, like Excel's widths.
    """
    if not value:
        return 1
    usable = max(width - 1, 1)
    lines = 0
    for paragraph in str(value).split("\n"):
        cells = sum(1.8 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in paragraph)
        lines += max(1, math.ceil(cells / usable))
    return lines


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4)


def sheet_names():
    # With a context: "Summary" alone is translated otherwise by Django's own catalogues.
    return {
        "cover": pgettext("sheet name", "Cover"),
        "items": pgettext("sheet name", "Checksheet"),
        "summary": pgettext("sheet name", "Summary"),
    }


def columns_for(data: AssessmentData) -> list[tuple[str, str, float]]:
    """(field, heading, width) of the items sheet: text columns only where the edition has text."""
    scale = data.edition.rating_scale
    reason_heading = _("Reason")
    if scale.requires_reason:
        reason_heading = _("Reason (required for %(symbols)s)") % {"symbols": " ".join(sorted(scale.requires_reason))}
    candidates = [
        ("number", "No.", 7, True),
        ("label", _("Label"), 16, True),
        ("title", _("Item"), 24, data.has_text("title")),
        ("purpose", _("Purpose"), 24, data.has_text("purpose")),
        ("requirement", _("Requirement"), 30, data.has_text("requirement")),
        ("condition", _("Condition"), 36, data.has_text("condition")),
        ("criteria", _("Criteria"), 44, data.has_text("criteria")),
        ("level", _("Level"), 7, bool(data.edition.level_codes)),
        ("priority", _("Priority"), 7, data.has_priority),
        ("rating", _("Rating"), 8, True),
        ("reason", reason_heading, 28, True),
        ("comment", _("Comment and evidence"), 28, True),
    ]
    return [(name, heading, width) for name, heading, width, shown in candidates if shown]


def export_checksheet(data: AssessmentData, *, exported_at=None, extra_sheets=()) -> bytes:
    """extra_sheets: (title, rows with the header first) added after the summary, e.g. the
    improvement plan's actions (assessments.extensions.WORKBOOK); plain text, read by no import."""
    exported_at = exported_at or timezone.now()
    names = sheet_names()
    book = Workbook()
    cover = book.active
    cover.title = names["cover"]
    items = book.create_sheet(names["items"])
    summary = book.create_sheet(names["summary"])
    for title, rows in extra_sheets:
        _table_sheet(book.create_sheet(title[:31]), rows)
    meta = book.create_sheet(METADATA_SHEET)
    figures = _Figures(data, items.title)
    _cover_sheet(cover, data, exported_at, figures)
    _items_sheet(items, data)
    _summary_sheet(summary, data, figures)
    _metadata_sheet(meta, data, exported_at)
    book.active = 1  # open on the items: that is what people fill in
    book.calculation.fullCalcOnLoad = True  # the formulas carry no cached values
    assessment = data.assessment
    book.properties.creator = "Keiretsu"
    book.properties.title = f"{assessment.scope.display_name} {assessment.edition}"
    book.properties.language = get_language()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table_sheet(sheet: Worksheet, rows):
    """A plain table: a bold header row kept in view, text wrapped, every value written by put()."""
    rows = list(rows)
    widths = [10] * (len(rows[0]) if rows else 0)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = put(sheet.cell(row_number, column), value if value != "" else None)
            cell.font = BOLD_FONT if row_number == 1 else BODY_FONT
            cell.alignment = WRAP_TOP
            cell.border = BORDER
            if row_number == 1:
                cell.fill = HEADER_FILL
            widths[column - 1] = min(48, max(widths[column - 1], len(str(value)) * 1.6 + 2))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    if len(rows) > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"


def status_text(assessment) -> str:
    if assessment.is_frozen and assessment.submitted_at:
        when = date_format(timezone.localtime(assessment.submitted_at), "Y-m-d H:i")
        return _("Submitted on %(when)s (frozen)") % {"when": when}
    return str(assessment.get_status_display())


def _print_setup(sheet: Worksheet, *, landscape: bool, title_rows: str | None = None, header_text: str = ""):
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    if title_rows:
        sheet.print_title_rows = title_rows
    if header_text:
        sheet.oddHeader.left.text = header_text.replace("&", "&&")
        sheet.oddHeader.left.size = 8
    sheet.oddFooter.right.text = "&P / &N"
    sheet.oddFooter.right.size = 8


def _cover_sheet(sheet: Worksheet, data: AssessmentData, exported_at, figures: _Figures):
    assessment = data.assessment
    edition = assessment.edition
    organisation = assessment.organisation
    scale = edition.rating_scale
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 60
    sheet.merge_cells("A1:C1")
    put(sheet["A1"], _("Cybersecurity self-assessment checksheet")).font = TITLE_FONT
    sheet.row_dimensions[1].height = 30
    rows = [
        (_("Company name"), organisation.name),
        (_("Corporate number"), organisation.corporate_number),
        (_("Assessed"), f"{assessment.scope.display_name} ({assessment.scope.get_kind_display()})"),
        (_("Guideline"), edition.guideline.display_title),
        (_("Edition"), edition.display_title),
        (_("Fiscal year"), _("FY%(year)s (April %(year)s – March %(next)s)") % {"year": assessment.fiscal_year, "next": assessment.fiscal_year + 1}),
        (_("Revision"), str(assessment.revision)),
        (_("Status"), status_text(assessment)),
        (_("Exported on"), date_format(timezone.localtime(exported_at), "Y-m-d H:i")),
        (_("Progress"), None),  # a formula: it counts the ratings on the items sheet
    ]
    row = 3
    for label, value in rows:
        put(sheet.cell(row, 1), label).font = BOLD_FONT
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        if value is None:
            cell = figures.progress_cell(sheet.cell(row, 2), _("%(answered)s of %(total)s items"))
        else:
            cell = put(sheet.cell(row, 2), value)
        cell.font = BODY_FONT
        cell.alignment = WRAP_TOP
        sheet.row_dimensions[row].height = row_height(text_lines(value, 90))
        for column in (1, 2, 3):
            sheet.cell(row, column).border = BORDER
        sheet.cell(row, 1).fill = HEADER_FILL
        row += 1

    row += 1
    put(sheet.cell(row, 1), _("Rating symbols")).font = SUBTITLE_FONT
    row += 1
    for column, heading in enumerate((_("Symbol"), _("Meaning"), _("Explanation")), start=1):
        cell = put(sheet.cell(row, column), heading)
        cell.font, cell.fill, cell.border = BOLD_FONT, HEADER_FILL, BORDER
    row += 1
    english = get_language() == "en"
    for symbol in scale.symbols:
        label = (english and symbol.label_en) or symbol.label
        meaning = (english and symbol.meaning_en) or symbol.meaning
        if scale.needs_reason(symbol.symbol):
            required = _("(a reason is required)")
            meaning = f"{meaning} {required}".strip()
        for column, value in enumerate((symbol.symbol, label, meaning), start=1):
            cell = put(sheet.cell(row, column), value)
            cell.font, cell.border = (RATING_FONT if column == 1 else BODY_FONT), BORDER
            cell.alignment = CENTRE_TOP if column == 1 else WRAP_TOP
        sheet.row_dimensions[row].height = row_height(max(text_lines(label, 30), text_lines(meaning, 60)))
        row += 1

    row += 1
    put(sheet.cell(row, 1), _("How to fill in this checksheet")).font = SUBTITLE_FONT
    row += 1
    steps = [
        _("On the sheet “%(sheet)s”, choose a rating for every item in the column “%(column)s” (a drop-down offers the symbols above).")
        % {"sheet": sheet_names()["items"], "column": _("Rating")},
        _("Write a reason where the rating needs one; the reason cell turns red until it has one."),
        _("Only the rating, reason and comment columns can be changed (the sheet is protected without a password). You may filter rows and resize rows and columns."),
        _("The progress above and the figures on the sheet “%(sheet)s” are calculated from the ratings as you fill them in.")
        % {"sheet": sheet_names()["summary"]},
        _("Then upload the file on the assessment's page (Import a filled checksheet). You will see what changes before anything is saved."),
    ]
    for number, step in enumerate(steps, start=1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        cell = put(sheet.cell(row, 1), f"{number}. {step}")
        cell.font, cell.alignment = BODY_FONT, WRAP_TOP
        sheet.row_dimensions[row].height = row_height(text_lines(cell.value, 112))
        row += 1
    _print_setup(sheet, landscape=False)


def _items_sheet(sheet: Worksheet, data: AssessmentData):
    assessment = data.assessment
    edition = assessment.edition
    scale = edition.rating_scale
    columns = columns_for(data)
    index = {name: position for position, (name, _heading, _width) in enumerate(columns, start=1)}
    for position, (name, heading, width) in enumerate(columns, start=1):
        cell = put(sheet.cell(1, position), heading)
        cell.font, cell.fill, cell.border = BOLD_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.row_dimensions[1].height = 30

    sections = data.sections
    styles = _Styles()
    inputs = {"rating", "reason", "comment"}
    centred = {"number", "level", "priority", "rating"}
    row = 1
    for item in data.structure.items:
        row += 1
        answer = data.answer(item)
        section = sections[item.section_id]
        values = {
            "number": int(item.number) if item.number.isdigit() and not item.number.startswith("0") else item.number,
            "label": f"{section.code} {section.display_title}",
            "title": item.title,
            "purpose": item.purpose,
            "requirement": item.requirement,
            "condition": item.condition,
            "criteria": item.criteria,
            "level": item.level,
            "priority": "★" if item.is_priority else "",
            "rating": answer.rating if answer else "",
            "reason": answer.reason if answer else "",
            "comment": answer.comment if answer else "",
        }
        lines = 1
        for name, position in index.items():
            lines = max(lines, text_lines(values[name], columns[position - 1][2]) if name not in centred else 1)
            cell = sheet.cell(row, position)
            styles.apply(
                cell, name, border=BORDER, font=RATING_FONT if name == "rating" else BODY_FONT,
                alignment=CENTRE_TOP if name in centred else WRAP_TOP, fill=INPUT_FILL if name in inputs else None,
                protection=UNLOCKED if name in inputs else None,
            )
            put(cell, values[name] or None)  # after the style: it may set the quote prefix
        sheet.row_dimensions[row].height = row_height(max(lines, 2))  # room to write an answer
    last = max(row, 2)

    rating_column = get_column_letter(index["rating"])
    symbols = ",".join(scale.codes)
    choose = _("Choose one of: %(symbols)s") % {"symbols": " ".join(scale.codes)}
    validation = DataValidation(
        type="list",
        formula1=f'"{symbols}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a rating of this edition")[:32],
        error=choose[:255],
        showInputMessage=True,
        promptTitle=_("Rating")[:32],
        prompt=_legend(scale)[:255],
    )
    sheet.add_data_validation(validation)
    validation.add(f"{rating_column}2:{rating_column}{last}")

    if scale.requires_reason:
        reason_column = get_column_letter(index["reason"])
        needs = ",".join(f'{rating_column}2="{symbol}"' for symbol in sorted(scale.requires_reason))
        sheet.conditional_formatting.add(
            f"{reason_column}2:{reason_column}{last}",
            FormulaRule(formula=[f"AND(OR({needs}),LEN(TRIM({reason_column}2))=0)"], fill=MISSING_REASON_FILL),
        )
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    # Protected without a password: the questions cannot be changed by accident; filtering,
    # sorting and resizing stay allowed (False = not protected, in openpyxl's terms).
    protection = sheet.protection
    protection.sheet = True
    protection.autoFilter = protection.sort = False
    protection.formatColumns = protection.formatRows = False
    parts = [assessment.organisation.name]
    if assessment.scope.kind != "company":
        parts.append(assessment.scope.display_name)
    header = separator().join([*parts, edition.display_title, fiscal_year_text(assessment.fiscal_year)])
    _print_setup(sheet, landscape=True, title_rows="1:1", header_text=header)


class _Styles:
    """A cell style built once per kind of cell, then copied onto the others.

    Setting font, border, fill and alignment on each cell makes openpyxl look every style
    object up again: most of an export's time. The copied array indexes the workbook's own
    style lists, so it is valid for any cell of the workbook.
    """

    def __init__(self):
        self._arrays = {}

    def apply(self, cell, key, **attributes):
        array = self._arrays.get(key)
        if array is None:
            for name, value in attributes.items():
                if value is not None:
                    setattr(cell, name, value)
            self._arrays[key] = copy(cell._style)
        else:
            cell._style = copy(array)


def _legend(scale) -> str:
    english = get_language() == "en"
    return " / ".join(f"{s.symbol} {(english and s.label_en) or s.label}" for s in scale.symbols)


class _Figures:
    """The summary's figures as Excel formulas over the items sheet's rating column.

    They restate `programme/scoring.py` (docs/rules.md, "Rates", "Levels") for one workbook:
    a rating that is not a symbol of the scale (nor one of its aliases) counts as unanswered,
    hence applicable and neither achieved nor examined; a rate over no applicable item is
    "－"; a percentage has one decimal. Which symbols count as what is asked of the scale.
    The rows of a set of items are found by their level, their priority mark or their label
    (the protected columns), so filtering or sorting the items sheet changes nothing.
    """

    def __init__(self, data: AssessmentData, items_title: str):
        scale = data.edition.rating_scale
        columns = [name for name, _heading, _width in columns_for(data)]
        last = max(len(data.structure.items) + 1, 2)
        sheet = quote_sheetname(items_title)

        def column(name):
            if name not in columns:
                return None
            letter = get_column_letter(columns.index(name) + 1)
            return f"{sheet}!${letter}$2:${letter}${last}"

        self.rating, self.level, self.priority, self.label = (
            column("rating"), column("level"), column("priority"), column("label"))
        self.data = data

        def spellings(meaning):
            # Excel compares text ignoring case: "x" and "X" are one spelling (counted once).
            symbols = set(scale.symbols_where(meaning))
            found = {}
            for s in scale.symbols:
                if s.symbol in symbols:
                    for text in (s.symbol, *s.aliases):
                        found.setdefault(text.casefold(), text)
            return list(found.values())

        self.answered = spellings(lambda scale, symbol: True)
        self.not_applicable = spellings(lambda scale, symbol: not scale.is_applicable(symbol))
        self.achieved = spellings(Scale.is_achieved)
        self.examined = spellings(Scale.is_examined)
        paths = data.structure.section_paths
        self.labels = {section.pk: f"{section.code} {section.display_title}" for section in data.structure.sections}
        self.leaves_of = {
            section.code: [pk for pk, path in paths.items() if section.code in path]
            for section in data.structure.sections
        }

    # -- Masks: which rows of the items sheet a figure counts --

    def level_mask(self, code):
        return f"({self.level}={formula_text(code)})"

    def priority_mask(self):
        return f"({self.priority}={formula_text('★')})"

    def section_mask(self, code):
        labels = [self.labels[pk] for pk in self.leaves_of.get(code, [])]
        if not labels:
            return None
        return "(" + "+".join(f"({self.label}={formula_text(label)})" for label in labels) + ")"

    def count(self, spellings, mask=None) -> str:
        """How many items (of the mask) have a rating among `spellings`."""
        if not spellings:
            return "0"
        if mask is None:
            # "=" makes the criterion an equality; "~" keeps * ? ~ from being wildcards.
            criteria = ("=" + "".join("~" + ch if ch in "*?~" else ch for ch in text) for text in spellings)
            return "+".join(f"COUNTIF({self.rating},{formula_text(criterion)})" for criterion in criteria)
        ratings = "+".join(f"({self.rating}={formula_text(text)})" for text in spellings)
        return f"SUMPRODUCT({mask}*({ratings}))"

    def total(self, mask=None) -> str:
        return f"ROWS({self.rating})" if mask is None else f"SUMPRODUCT({mask}*1)"

    # -- Cells --

    def progress_cell(self, cell, template):
        return text_formula(cell, template, answered=self.count(self.answered), total=self.total())

    def rate_cells(self, sheet, row, column, mask=None, *, empty=False):
        """Items, applicable, achieved, achievement rate, examined rate: as on the web page.
        `empty`: a set with no item (a section without items)."""
        total, applicable, achieved = (get_column_letter(column + offset) for offset in range(3))
        if empty:
            expressions = ["0", "0", "0"]
        else:
            expressions = [
                self.total(mask),
                f"{total}{row}-({self.count(self.not_applicable, mask)})",
                self.count(self.achieved, mask),
            ]
        rates = [
            f"IF({applicable}{row}=0,{formula_text(UNDEFINED)},ROUND({achieved}{row}*100/{applicable}{row},1))",
            f"IF({applicable}{row}=0,{formula_text(UNDEFINED)},"
            f"ROUND(({'0' if empty else self.count(self.examined, mask)})*100/{applicable}{row},1))",
        ]
        for offset, expression in enumerate([*expressions, *rates]):
            cell = formula(sheet.cell(row, column + offset), expression)
            cell.font, cell.border = BODY_FONT, BORDER
            if offset >= 3:
                cell.number_format = PERCENT_FORMAT
                cell.alignment = Alignment(horizontal="right")

    def levels_attained(self, rows: dict[str, int], column: int) -> dict[str, str]:
        """Per level, the condition "every applicable item of this level and below is achieved"
        (applicable = achieved on each of their rows)."""
        applicable, achieved = get_column_letter(column + 1), get_column_letter(column + 2)
        conditions, so_far = {}, []
        for code, row in rows.items():
            so_far.append(f"{applicable}{row}={achieved}{row}")
            conditions[code] = "AND(" + ",".join(so_far) + ")"
        return conditions


def text_formula(cell, template: str, **expressions):
    """A translated sentence with %(name)s placeholders, as a formula joining its literal text
    with the given expressions: "%(answered)s of %(total)s items" -> ="" & … & " 項目中 " & …"""
    parts, rest = [], template
    while "%(" in rest:
        before, _sep, after = rest.partition("%(")
        name, _close, rest = after.partition(")s")
        if before:
            parts.append(formula_text(before))
        parts.append(f"({expressions[name]})")
    if rest:
        parts.append(formula_text(rest))
    return formula(cell, "&".join(parts) or '""')


def _summary_sheet(sheet: Worksheet, data: AssessmentData, figures: _Figures):
    assessment = data.assessment
    edition = assessment.edition
    scores = data.scores
    widths = {"A": 12, "B": 44, "C": 10, "D": 12, "E": 10, "F": 12, "G": 12, "H": 12}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    put(sheet["A1"], pgettext("sheet name", "Summary")).font = TITLE_FONT
    note = _("Calculated from the ratings on the sheet “%(sheet)s”: the figures change as you fill it in.") % {
        "sheet": sheet_names()["items"]
    }
    if assessment.is_frozen:
        note = _("Ratings as submitted (frozen).")
    parts = [assessment.organisation.name, assessment.scope.display_name, edition.display_title,
             fiscal_year_text(assessment.fiscal_year)]
    put(sheet["A2"], f"{separator().join(parts)} — {note}").font = BODY_FONT
    headings = [str(h) for h in (score_headings.ITEMS, score_headings.APPLICABLE, score_headings.ACHIEVED,
                                 score_headings.ACHIEVEMENT_RATE, score_headings.EXAMINED_RATE)]

    def heading_row(row, first, second):
        for column, heading in enumerate([first, second, *headings], start=1):
            cell = put(sheet.cell(row, column), heading)
            cell.font, cell.fill, cell.border = BOLD_FONT, HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    row = 4
    heading_row(row, "", _("Overall"))
    row += 1
    put(sheet.cell(row, 1), _("All items")).font = BOLD_FONT
    figures.progress_cell(sheet.cell(row, 2), _("%(answered)s of %(total)s answered")).font = BODY_FONT
    figures.rate_cells(sheet, row, 3)
    if scores.priority.total:
        row += 1
        put(sheet.cell(row, 1), _("Priority items")).font = BOLD_FONT
        figures.rate_cells(sheet, row, 3, figures.priority_mask())

    if edition.level_codes:
        row += 2
        put(sheet.cell(row, 1), str(score_headings.LEVEL_ATTAINED)).font = SUBTITLE_FONT
        attained_cell = sheet.cell(row, 3)
        row += 1
        heading_row(row, _("Level"), _("Description"))
        level_rows = {code: row + offset for offset, code in enumerate(edition.level_codes, start=1)}
        conditions = figures.levels_attained(level_rows, 3)
        for code, row in level_rows.items():
            mark = formula_text(code + " ✓")
            formula(sheet.cell(row, 1), f"IF({conditions[code]},{mark},{formula_text(code)})").font = BOLD_FONT
            cell = put(sheet.cell(row, 2), edition.level_title(code))
            cell.font, cell.alignment = BODY_FONT, WRAP_TOP
            sheet.row_dimensions[row].height = row_height(text_lines(cell.value, 44))
            figures.rate_cells(sheet, row, 3, figures.level_mask(code))
        # The highest level attained: "Lv2 attained", or "Lv1 not attained".
        codes = list(edition.level_codes)
        expression = formula_text(_("%(level)s attained") % {"level": codes[-1]})
        for index in range(len(codes) - 1, 0, -1):
            attained = formula_text(_("%(level)s attained") % {"level": codes[index - 1]})
            expression = f"IF({conditions[codes[index]]},{expression},{attained})"
        not_attained = formula_text(_("%(level)s not attained") % {"level": codes[0]})
        formula(attained_cell, f"IF({conditions[codes[0]]},{expression},{not_attained})").font = SUBTITLE_FONT

    row += 2
    heading_row(row, _("Label"), "")
    for section in data.structure.sections:
        row += 1
        indent = "　" * getattr(section, "depth", 0)
        put(sheet.cell(row, 1), section.code).font = BOLD_FONT if section.parent_id is None else BODY_FONT
        cell = put(sheet.cell(row, 2), indent + section.display_title)
        cell.font, cell.alignment = BODY_FONT, WRAP_TOP
        sheet.row_dimensions[row].height = row_height(text_lines(cell.value, 44))
        mask = figures.section_mask(section.code)
        figures.rate_cells(sheet, row, 3, mask, empty=mask is None)
    row += 2
    put(sheet.cell(row, 1), _("－ : no applicable item (everything not applicable), so no rate.")).font = BODY_FONT
    sheet.freeze_panes = "A4"
    _print_setup(sheet, landscape=False)


def _metadata_sheet(sheet: Worksheet, data: AssessmentData, exported_at):
    """What the import checks: which edition, which assessment. Very hidden: not for people."""
    assessment = data.assessment
    scope = assessment.scope
    values = [
        ("format", FORMAT),
        ("guideline", assessment.edition.guideline.slug),
        ("edition", assessment.edition.code),
        ("edition_hash", assessment.edition.content_hash),
        ("assessment", assessment.pk),
        ("organisation", assessment.organisation.corporate_number),
        ("organisation_name", assessment.organisation.name),
        ("scope_kind", scope.kind),
        ("scope_name", scope.name),
        ("scope_parent", scope.parent.name if scope.parent_id else ""),
        ("fiscal_year", assessment.fiscal_year),
        ("revision", assessment.revision),
        ("status", assessment.status),
        ("items", len(data.structure.items)),
        ("exported_at", timezone.localtime(exported_at).isoformat(timespec="seconds")),
    ]
    for row, (key, value) in enumerate(values, start=1):
        sheet.cell(row, 1, key)
        put(sheet.cell(row, 2), value)
    sheet.sheet_state = "veryHidden"
