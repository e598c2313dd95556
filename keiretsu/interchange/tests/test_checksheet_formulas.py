"""The exported checksheet scores itself: ratings filled in offline, recalculated by LibreOffice,
give every figure of the summary and the cover's progress exactly as `programme/scoring.py`."""

import io
import random

import pytest
from django.utils import translation
from openpyxl import load_workbook

from keiretsu.assessments import services as assessment_services
from keiretsu.interchange.checksheet_export import export_checksheet
from keiretsu.interchange.selectors import assessment_data
from keiretsu.programme.scoring import Rate, ScoredItem, percent, score

from .conftest import FY
from .libreoffice import recalculate

pytestmark = pytest.mark.django_db


def column_of(sheet, heading):
    for cell in sheet[1]:
        if cell.value == heading:
            return cell.column
    raise AssertionError(f"no column {heading!r}")


def fill(content: bytes, ratings_by_number: dict[str, str]) -> bytes:
    """What someone does offline: type ratings into the rating column, save."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["チェックシート"]
    rating = column_of(sheet, "評価")
    for row in range(2, sheet.max_row + 1):
        number = str(sheet.cell(row, 1).value)
        sheet.cell(row, rating).value = ratings_by_number.get(number) or None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def expected_scores(data, ratings_by_number):
    """score() over the ratings as the import would read them (aliases normalised)."""
    edition = data.edition
    scale = edition.rating_scale
    ratings = {number: scale.normalise(raw) or raw for number, raw in ratings_by_number.items() if raw}
    items = [
        ScoredItem(number=i.number, level=i.level, sections=data.structure.section_paths[i.section_id], priority=i.is_priority)
        for i in data.structure.items
    ]
    return score(scale=scale, levels=edition.level_codes, items=items, ratings=ratings)


def figures(rate: Rate):
    def shown(value):
        return "－" if value is None else float(value)

    return [rate.total, rate.applicable, rate.achieved, shown(percent(rate.achievement)), shown(percent(rate.examination))]


def random_ratings(data, rng, extra=()):
    symbols = list(data.edition.rating_scale.codes) + ["", ""] + list(extra)
    return {item.number: rng.choice(symbols) for item in data.structure.items}


def check(book, data, scores):
    summary = book["集計"]
    rows = {}
    for row in range(1, summary.max_row + 1):
        rows.setdefault(summary.cell(row, 1).value, row)
    values = lambda row: [summary.cell(row, column).value for column in range(3, 8)]  # noqa: E731

    overall = scores.overall
    assert values(rows["全項目"]) == figures(overall)
    assert summary.cell(rows["全項目"], 2).value == f"{overall.total} 項目中 {overall.answered} 項目に回答"
    progress = {book["表紙"].cell(r, 1).value: book["表紙"].cell(r, 2).value for r in range(3, 14)}
    assert progress["回答状況"] == f"{overall.total} 項目中 {overall.answered} 項目に回答"
    if scores.priority.total:
        assert values(rows["優先項目"]) == figures(scores.priority)
    for code in data.edition.level_codes:
        marked = f"{code} ✓" if scores.is_attained(code) else code
        assert marked in rows, (marked, scores.level_attained)
        assert values(rows[marked]) == figures(scores.by_level[code])
    if data.edition.level_codes:
        attained = summary.cell(rows["達成レベル"], 3).value
        first = data.edition.level_codes[0]
        assert attained == (f"{scores.level_attained} 達成" if scores.level_attained else f"{first} 未達")
    for section in data.structure.sections:
        assert values(rows[section.code]) == figures(scores.by_section.get(section.code, Rate())), section.code


def test_the_workbook_recalculated_by_libreoffice_agrees_with_scoring(catalogue, owner, alpha, alpha_factory, enterprise):
    rng = random.Random(12)
    cases = {}
    for name, edition, scope, extra in (
        ("factory", catalogue["jama-factory"], alpha_factory, ["〇", "ー", "X", "x", "?", "*"]),  # aliases, either case, stray marks
        ("meti", catalogue["meti-scs"], alpha.company_scope, []),  # nested labels, ★3/★4
        ("enterprise", enterprise, alpha.company_scope, []),  # Lv1–Lv3
    ):
        assessment = assessment_services.assessment_create(
            membership=owner, actor=owner.user, scope=scope, edition=edition, fiscal_year=FY
        )
        data = assessment_data(assessment)
        ratings = random_ratings(data, rng, extra)
        cases[name] = (data, ratings)
    # The enterprise sheet: Lv1 all achieved, so a level is attained.
    data, ratings = cases["enterprise"]
    for item in data.structure.items:
        if item.level == "Lv1":
            ratings[item.number] = rng.choice(["○", "－"])
    # One more factory sheet where a whole label is not applicable (rates "－").
    data, ratings = cases["factory"]
    cases["factory-na"] = (data, {**ratings, **{n: "－" for n in ("8", "9", "10", "11", "12", "13")}})

    with translation.override("ja"):
        filled = {name: fill(export_checksheet(data), ratings) for name, (data, ratings) in cases.items()}
    recalculated = recalculate(filled)
    for name, (data, ratings) in cases.items():
        book = load_workbook(io.BytesIO(recalculated[name]), data_only=True)
        check(book, data, expected_scores(data, ratings))
    # The level attained is there to be seen, and the undefined rates are "－".
    enterprise_scores = expected_scores(*cases["enterprise"])
    assert enterprise_scores.level_attained == "Lv1"
    assert expected_scores(*cases["factory-na"]).by_section["4"].achievement is None


def test_an_untouched_export_recalculates_to_the_scores_of_the_web_page(factory_assessment):
    data = assessment_data(factory_assessment)
    [book] = recalculate({"as-exported": export_checksheet(data)}).values()
    check(load_workbook(io.BytesIO(book), data_only=True), data, data.scores)
    summary = load_workbook(io.BytesIO(book), data_only=True)["集計"]
    assert [summary.cell(5, c).value for c in range(3, 8)] == [63, 62, 1, 1.6, 3.2]  # 1 of 62 achieved, ○ + □ examined
    label = next(r for r in range(8, 30) if summary.cell(r, 1).value == "1")
    assert [summary.cell(label, c).value for c in range(2, 8)] == ["体制(平時)", 3, 3, 1, 33.3, 66.7]  # ○ □ ×
