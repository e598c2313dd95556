"""Reading a checksheet as a person would: find the table by its column headings.

Checksheets differ: a title block above the table, columns in another order, headings with
line breaks or notes ("達成\\n条件", "評価（○×－）"), a second sheet. The header row is the row,
among the first rows of any sheet, whose cells name the most known columns; each column is
then known by its heading, not by its position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .workbooks import Grid, column_letter, nfkc, text

HEADER_SEARCH_ROWS = 40
MAX_HEADING = 40  # characters: a longer cell is text, not a column heading

# Field -> (exact headings, keywords a heading may contain, keywords that exclude it), all
# after normalise(). Fields are tried in this order and a heading takes the first that fits:
# "評価基準" is criteria before it could be a rating, "評価理由" a reason.
FIELDS = {
    "number": ({"no", "no.", "番号", "項番", "項目番号", "項目no", "項目no.", "#", "itemno", "itemno."}, (), ()),
    "criteria": ((), ("達成基準", "評価基準", "判断基準", "criteria"), ()),
    "condition": ((), ("達成条件", "condition"), ()),
    "requirement": ((), ("要求事項", "requirement"), ()),
    "purpose": ((), ("目的", "purpose"), ()),
    "label": ({"分類", "カテゴリ", "カテゴリー", "category"}, ("ラベル", "label"), ()),
    "level": (
        {"lv", "lv.", "level", "レベル", "対象レベル", "レベル区分", "対象lv", "対象lv."},
        ("レベル", "level"),
        ("到達", "attained"),
    ),
    "priority": ({"優先", "優先項目", "priority", "優先対応"}, (), ()),
    "reason": ((), ("理由", "reason"), ()),
    "comment": ((), ("コメント", "comment", "備考", "根拠", "証跡", "evidence", "remarks", "notes"), ()),
    "rating": (
        {"評価", "rating", "自己評価", "評価結果", "回答", "判定", "実施状況", "達成状況", "チェック", "check", "answer"},
        ("評価", "回答", "rating", "self-assessment"),
        ("評価日", "評価者"),
    ),
    "explanation": ((), ("解説", "説明", "explanation", "補足"), ()),
    "title": ({"項目", "項目名", "item", "title", "タイトル", "対策", "対策項目"}, (), ()),
}
_NUMBER_HEADING = re.compile(r"^(?:no|no\.|№)(?:[^a-z]|$)")


def normalise(heading) -> str:
    """A heading reduced to what identifies it: full-width to half-width, no spaces or notes."""
    value = nfkc(text(heading)).lower()
    value = re.sub(r"[（(\[【].*?[)）\]】]", "", value)  # "評価（○×－）" -> "評価"
    value = re.sub(r"[\s※*:：]", "", value)
    return value


def field_of(heading) -> str | None:
    if not isinstance(heading, str) or len(heading) > MAX_HEADING:
        return None  # item text, numbers, dates: not headings
    return _field_of(heading)


@lru_cache(maxsize=4096)
def _field_of(heading: str) -> str | None:
    name = normalise(heading)
    if not name:
        return None
    for field_name, (exact, keywords, excluded) in FIELDS.items():
        if any(word in name for word in excluded):
            continue
        if name in exact or any(word in name for word in keywords):
            return field_name
        if field_name == "number" and _NUMBER_HEADING.match(name) and len(name) <= 8:
            return field_name
    return None


@dataclass
class Header:
    sheet: str
    row: int  # 1-based
    columns: dict[str, int]  # field -> 1-based column
    headings: dict[str, str]  # field -> the heading as written

    def letter(self, field_name: str) -> str:
        return column_letter(self.columns[field_name])

    def has(self, field_name: str) -> bool:
        return field_name in self.columns


def find_header(grids: list[Grid], *, required: tuple[str, ...], wanted: tuple[str, ...] = ()) -> Header | None:
    """The best header row over all sheets: it has every required field, and the most fields."""
    best, best_score = None, -1
    for grid in grids:
        for row in range(1, min(grid.height, HEADER_SEARCH_ROWS) + 1):
            columns, headings = {}, {}
            for column, value in enumerate(grid.rows[row - 1], start=1):
                field_name = field_of(value)
                if field_name and field_name not in columns:
                    columns[field_name] = column
                    headings[field_name] = text(value)
            if not all(name in columns for name in required):
                continue
            score = len(columns) + sum(1 for name in wanted if name in columns)
            if score > best_score:
                best, best_score = Header(grid.title, row, columns, headings), score
    return best


_ITEM_NUMBER = re.compile(r"^(?:no\.?|#)?(\d+(?:[-.]\d+)*)\.?$")


def item_number(value) -> str | None:
    """An item number as the catalogue writes it: 12, 12.0, "No.12", "No12", "１２", "No.1-1" -> "12", "1-1"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and value >= 0 else None
    raw = re.sub(r"\s", "", nfkc(str(value))).lower()
    match = _ITEM_NUMBER.match(raw)
    if not match:
        return None
    number = match.group(1)
    return str(int(number)) if number.isdigit() else number


_LEVEL = re.compile(r"^(?:lv\.?|level|レベル|l)?(\d+)$")


def level_code(value, codes: tuple[str, ...]) -> str | None:
    """A level as the edition declares it ("Lv1"), from 1, "Lv1", "LV1", "Lv.1", "レベル1", "レベル１"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None
        digits = str(int(value))
    else:
        raw = re.sub(r"\s", "", nfkc(str(value))).lower()
        if not raw:
            return None
        for code in codes:
            if raw == code.lower():
                return code
        match = _LEVEL.match(raw)
        if not match:
            return None
        digits = str(int(match.group(1)))
    for code in codes:
        found = re.search(r"(\d+)$", code)
        if found and found.group(1) == digits:
            return code
    return None


def same_text(a: str, b: str) -> bool:
    """Texts equal but for width, spaces and line breaks (as a spreadsheet may rewrap them)."""
    return re.sub(r"\s", "", nfkc(a or "")) == re.sub(r"\s", "", nfkc(b or ""))
