"""Checksheets made up for the tests and the bench.

The official enterprise checksheet's text is not public here, so `enterprise_items` invents
153 items with the published shape: Lv1 50 + Lv2 74 + Lv3 29, the levels METI's cross-
reference gives (data/enterprise-item-levels-partial.csv), the 19 priority items at Lv1,
grouped in labels. `official_checksheet` writes them in several layouts a real checksheet
might have.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from keiretsu.interchange import headings
from keiretsu.interchange.official import DATA_DIR
from keiretsu.lib.spreadsheets import put

PRIORITY = ["16", "18", "19", "20", "24", "26", "49", "51", "52", "76", "77", "78", "115", "124", "136", "137", "148", "149", "150"]
LABELS = [
    "方針", "規則", "体制", "事故時の手順", "教育", "取引先管理", "情報資産管理", "リスク対応",
    "外部接続", "物理セキュリティ", "アクセス権", "ネットワーク", "マルウェア対策", "ログ・監視", "バックアップ・復旧",
]


@dataclass
class SampleItem:
    number: str
    label: str
    purpose: str
    requirement: str
    condition: str
    criteria: str
    level: str


def enterprise_levels() -> dict[str, str]:
    with open(DATA_DIR / "enterprise-item-levels-partial.csv", encoding="utf-8") as source:
        known = {row["jama_no"]: row["level"] for row in csv.DictReader(source)}
    levels = {}
    unknown = []
    for n in range(1, 154):
        number = str(n)
        level = known.get(number)
        if number in PRIORITY or level == "Lv1/Lv2":
            levels[number] = "Lv1"
        elif level:
            levels[number] = level
        else:
            unknown.append(number)
    for index, number in enumerate(unknown):
        levels[number] = "Lv2" if index < 31 else "Lv3"
    return levels


def enterprise_items() -> list[SampleItem]:
    levels = enterprise_levels()
    items = []
    for n in range(1, 154):
        label_index = (n - 1) * len(LABELS) // 153
        label = LABELS[label_index]
        items.append(SampleItem(
            number=str(n),
            label=label,
            purpose=f"{label}に関するセキュリティを確保し、事業への影響を防ぐ",
            requirement=f"{label}について、組織として必要な対策を定め、実施すること",
            condition=f"【No.{n}】{label}の対策として、手順を文書化し、担当者に周知している",
            criteria=f"・{label}の手順書がある\n・年1回以上見直している（項目{n}）",
            level=levels[str(n)],
        ))
    return items


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def official_checksheet(shape: str = "plain", items: list[SampleItem] | None = None) -> bytes:
    """An official-looking checksheet: shapes "plain", "merged", "fullwidth", "headings"."""
    items = items if items is not None else enterprise_items()
    return {"plain": _plain, "merged": _merged, "fullwidth": _fullwidth, "headings": _heading_rows}[shape](items)


def _plain(items):
    book = Workbook()
    sheet = book.active
    sheet.title = "チェックシート"
    sheet.append(["No.", "ラベル", "目的", "要求事項", "達成条件", "達成基準", "レベル", "評価", "備考"])
    for item in items:
        sheet.append([int(item.number), item.label, item.purpose, item.requirement, item.condition, item.criteria, item.level, None, None])
    return _save(book)


def _groups(items):
    groups, current = [], None
    for item in items:
        if current is None or current[0] != item.label:
            current = (item.label, [])
            groups.append(current)
        current[1].append(item)
    return groups


def _merged(items):
    """A title block above the header (row 5), columns in another order, label / purpose /
    requirement merged over each label's items, numbers "No.12", levels "レベル1"."""
    book = Workbook()
    sheet = book.active
    sheet.title = "自己評価"
    sheet["A1"] = "自動車産業サイバーセキュリティガイドライン チェックシート V2.3"
    sheet.merge_cells("A1:H1")
    sheet["A3"] = "会社名："
    headings_ = ["ラベル", "No.", "目的", "要求事項", "達成条件", "対象レベル", "達成基準", "回答"]
    for column, heading in enumerate(headings_, start=1):
        sheet.cell(5, column, heading)
    row = 6
    for label, group in _groups(items):
        first = row
        for item in group:
            sheet.cell(row, 2, f"No.{item.number}")
            sheet.cell(row, 5, item.condition)
            sheet.cell(row, 6, f"レベル{item.level[-1]}")
            sheet.cell(row, 7, item.criteria)
            row += 1
        sheet.cell(first, 1, label)
        sheet.cell(first, 3, group[0].purpose)
        sheet.cell(first, 4, group[0].requirement)
        if row - 1 > first:
            for column in (1, 3, 4):
                letter = get_column_letter(column)
                sheet.merge_cells(f"{letter}{first}:{letter}{row - 1}")
    return _save(book)


def _fullwidth(items):
    """A cover sheet first; the table on the second sheet from row 3, headings with line
    breaks, numbers "１２" / "No12", levels 1 / "LV1", label and purpose written once per label
    (blank below, not merged)."""
    book = Workbook()
    cover = book.active
    cover.title = "表紙"
    cover["B2"] = "自己評価チェックシート"
    cover["B4"] = "記入方法：評価欄に ○ × － を記入してください"
    sheet = book.create_sheet("チェックシート")
    sheet["A1"] = "チェックシート（エンタープライズ版）"
    sheet.append([])
    sheet.append(["項目\nNo.", "ラベル", "目的", "要求\n事項", "達成\n条件", "達成\n基準", "Lv", "評価\n（○×－）", "コメント"])
    fullwidth = str.maketrans("0123456789", "０１２３４５６７８９")
    for label, group in _groups(items):
        for index, item in enumerate(group):
            n = int(item.number)
            number = item.number.translate(fullwidth) if n % 2 else f"No{n}"
            level = int(item.level[-1]) if n % 3 else f"LV{item.level[-1]}"
            first = index == 0
            sheet.append([
                number, label if first else None, item.purpose if first else None, item.requirement if first else None,
                item.condition, item.criteria, level, None, None,
            ])
    return _save(book)


def _heading_rows(items):
    """No label column: each label is a heading row merged across the table; one item's
    number cell spans two rows, its criteria continuing on the second."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Checksheet"
    sheet.append(["No", "Purpose", "Requirement", "Condition", "Criteria", "Level", "Rating"])
    row = 2
    for label, group in _groups(items):
        sheet.cell(row, 1, label)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        row += 1
        for item in group:
            criteria = item.criteria
            split = item.number == "10"
            if split:
                criteria, rest = criteria.split("\n", 1)
            sheet.cell(row, 1, int(item.number))
            sheet.cell(row, 2, item.purpose)
            sheet.cell(row, 3, item.requirement)
            sheet.cell(row, 4, item.condition)
            sheet.cell(row, 5, criteria)
            sheet.cell(row, 6, f"Lv.{item.level[-1]}")
            if split:
                sheet.cell(row + 1, 5, rest)
                sheet.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=1)
                sheet.merge_cells(start_row=row, start_column=6, end_row=row + 1, end_column=6)
                row += 1
            row += 1
    return _save(book)


def fill_checksheet(data: bytes, answers: dict[str, tuple[str, str, str]], *, sheet_title: str | None = None) -> bytes:
    """A checksheet as a supplier returns it: ratings, reasons and comments written in the
    columns found by their headings (number -> (rating, reason, comment))."""
    book = load_workbook(io.BytesIO(data))
    grids = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows = [tuple(c.value for c in row) for row in sheet.iter_rows(max_row=60)]
        grids.append(_FakeGrid(sheet.title, rows))
    header = headings.find_header(grids, required=("number", "rating"))
    assert header is not None, "no checksheet header"
    sheet = book[header.sheet]
    for row in range(header.row + 1, sheet.max_row + 1):
        number = headings.item_number(sheet.cell(row, header.columns["number"]).value)
        if number in answers:
            rating, reason, comment = answers[number]
            # Typed as text, as Excel keeps text typed after an apostrophe ('=...).
            put(sheet.cell(row, header.columns["rating"]), rating or None)
            if "reason" in header.columns:
                put(sheet.cell(row, header.columns["reason"]), reason or None)
            if "comment" in header.columns:
                put(sheet.cell(row, header.columns["comment"]), comment or None)
    return _save(book)


@dataclass
class _FakeGrid:
    title: str
    rows: list

    @property
    def height(self):
        return len(self.rows)
