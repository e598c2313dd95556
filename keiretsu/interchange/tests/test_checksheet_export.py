"""The Excel checksheet: layout, drop-down, summary numbers, formula injection, the download."""

import io

import pytest
from openpyxl import load_workbook

from keiretsu.assessments import services as assessment_services
from keiretsu.conftest import client_for
from keiretsu.interchange.checksheet_export import FORMAT, METADATA_SHEET, export_checksheet
from keiretsu.interchange.selectors import assessment_data
from keiretsu.programme.scoring import percent

from .conftest import answer

pytestmark = pytest.mark.django_db


def exported(assessment):
    return load_workbook(io.BytesIO(export_checksheet(assessment_data(assessment))))


def column_of(sheet, heading):
    for cell in sheet[1]:
        if cell.value == heading:
            return cell.column_letter
    raise AssertionError(f"no column {heading!r} in {[c.value for c in sheet[1]]}")


def row_of(sheet, number):
    for row in sheet.iter_rows(min_row=2):
        if str(row[0].value) == number:
            return row[0].row
    raise AssertionError(f"no row for No.{number}")


def test_the_checksheet_has_a_cover_the_items_and_a_summary_in_japanese(factory_assessment):
    book = exported(factory_assessment)
    assert book.sheetnames == ["表紙", "チェックシート", "集計", METADATA_SHEET]
    assert book.active.title == "チェックシート"
    cover = book["表紙"]
    values = {cover.cell(row, 1).value: cover.cell(row, 2).value for row in range(3, 13)}
    assert values["会社名"] == "Alpha Parts"
    assert values["評価対象"] == f"Hamamatsu ({factory_assessment.scope.get_kind_display()})"
    assert values["年度"].startswith("2025年度")
    assert values["状態"] == str(factory_assessment.get_status_display())
    assert values["回答状況"].startswith("=")  # a formula over the ratings (test_checksheet_formulas.py)
    headings = [c.value for c in book["チェックシート"][1]]
    assert headings == ["No.", "ラベル", "目的", "要求事項", "達成条件", "達成基準", "優先", "評価", "理由 (□ の場合は必須)", "コメント・根拠資料"]


def test_the_items_sheet_is_laid_out_to_fill_in_and_print(factory_assessment):
    sheet = exported(factory_assessment)["チェックシート"]
    assert sheet.max_row == 64  # header + 63 items
    assert sheet.freeze_panes == "B2"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    criteria = column_of(sheet, "達成基準")
    assert sheet.column_dimensions[criteria].width >= 40
    assert sheet[f"{criteria}2"].alignment.wrap_text
    # Row heights fit the wrapped text (LibreOffice does not fit them itself).
    assert sheet.row_dimensions[8].height > sheet.row_dimensions[2].height or sheet.row_dimensions[2].height >= 40


def test_the_rating_column_offers_the_editions_symbols(factory_assessment):
    sheet = exported(factory_assessment)["チェックシート"]
    rating = column_of(sheet, "評価")
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"○,□,△,×,－"'
    assert str(validation.sqref) == f"{rating}2:{rating}64"
    assert validation.showErrorMessage and validation.error.startswith("次から選んでください")
    # The reason cell turns red while □ has no reason.
    reason = column_of(sheet, "理由 (□ の場合は必須)")
    rules = sheet.conditional_formatting
    [entry] = list(rules)
    assert str(entry.sqref) == f"{reason}2:{reason}64"
    assert '="□"' in entry.rules[0].formula[0]


def test_answers_are_in_their_rows(factory_assessment):
    sheet = exported(factory_assessment)["チェックシート"]
    rating, reason, comment = column_of(sheet, "評価"), column_of(sheet, "理由 (□ の場合は必須)"), column_of(sheet, "コメント・根拠資料")
    assert sheet[f"{rating}{row_of(sheet, '1')}"].value == "○"
    assert sheet[f"{comment}{row_of(sheet, '1')}"].value == "体制図を2025年4月に改訂"
    assert sheet[f"{rating}{row_of(sheet, '2')}"].value == "□"
    assert sheet[f"{reason}{row_of(sheet, '2')}"].value == "来年度予算で対応予定"
    assert sheet[f"{rating}{row_of(sheet, '6')}"].value is None  # not answered
    assert sheet[f"B{row_of(sheet, '1')}"].value == "1 体制(平時)"


def test_text_that_excel_would_run_stays_text(factory_assessment, owner, alpha):
    alpha.name = "=cmd|' /C calc'!A0"
    alpha.save()
    answer(owner, factory_assessment, "6", "○", comment="+81-3-1234-5678")
    answer(owner, factory_assessment, "7", "○", comment="@SUM(1+1)")
    answer(owner, factory_assessment, "8", "○", comment="-なし")
    factory_assessment.refresh_from_db()
    book = exported(factory_assessment)
    sheet = book["チェックシート"]
    comment = column_of(sheet, "コメント・根拠資料")
    for number, text in (("5", '=HYPERLINK("http://evil.example","click")'), ("6", "+81-3-1234-5678"),
                         ("7", "@SUM(1+1)"), ("8", "-なし")):
        cell = sheet[f"{comment}{row_of(sheet, number)}"]
        assert cell.value == text  # unchanged, so the import reads it back as written
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix  # Excel shows it as text and keeps it text when edited
    company = book["表紙"]["B3"]
    assert company.value == "=cmd|' /C calc'!A0" and company.data_type == "s" and company.quotePrefix


def test_the_summary_is_formulas_over_the_rating_column(factory_assessment):
    # Their values: keiretsu/interchange/tests/test_checksheet_formulas.py (recalculated by LibreOffice).
    book = exported(factory_assessment)
    summary = book["集計"]
    assert book.calculation.fullCalcOnLoad
    overall = [summary.cell(5, column).value for column in range(1, 8)]
    assert overall[0] == "全項目"
    assert all(str(value).startswith("=") for value in overall[1:])
    assert overall[2] == "=ROWS('チェックシート'!$H$2:$H$64)"
    assert "COUNTIF('チェックシート'!$H$2:$H$64,\"=○\")" in overall[1]
    assert overall[5] == '=IF(D5=0,"－",ROUND(E5*100/D5,1))'
    assert summary.cell(5, 6).number_format == '0.0"%"'
    labels = {summary.cell(row, 1).value: summary.cell(row, 4).value for row in range(8, 30)}
    assert "('チェックシート'!$B$2:$B$64=\"1 体制(平時)\")" in labels["1"]


def test_the_items_sheet_filters_and_protects_the_questions(factory_assessment):
    sheet = exported(factory_assessment)["チェックシート"]
    assert sheet.auto_filter.ref == "A1:J64"
    assert sheet.protection.sheet and not sheet.protection.password
    assert not sheet.protection.autoFilter and not sheet.protection.formatColumns  # still allowed
    rating, reason, comment = column_of(sheet, "評価"), column_of(sheet, "理由 (□ の場合は必須)"), column_of(sheet, "コメント・根拠資料")
    for column in (rating, reason, comment):
        assert not sheet[f"{column}2"].protection.locked and not sheet[f"{column}64"].protection.locked
    for column in ("A", "B", column_of(sheet, "達成基準")):
        assert sheet[f"{column}2"].protection.locked


def test_levels_and_level_attained_for_an_edition_with_levels(enterprise_assessment, owner):
    for item in enterprise_assessment.edition.items.filter(level="Lv1"):
        answer(owner, enterprise_assessment, item.number, "○")
    book = exported(enterprise_assessment)
    summary = book["集計"]
    cells = [[summary.cell(r, c).value for c in range(1, 8)] for r in range(1, 20)]
    assert cells[7][0] == "達成レベル" and "Lv1 達成" in cells[7][2] and "Lv1 未達" in cells[7][2]
    assert cells[9][0].startswith("=IF(AND(D10=E10),\"Lv1 ✓\"")
    items = book["チェックシート"]
    assert column_of(items, "レベル")
    [validation] = items.data_validations.dataValidation
    assert validation.formula1 == '"○,×,－"'


def test_a_submitted_assessment_exports_its_frozen_scores(enterprise_assessment, owner):
    for item in enterprise_assessment.edition.items.all():
        answer(owner, enterprise_assessment, item.number, "○" if item.level == "Lv1" else "×")
    assessment_services.assessment_submit(membership=owner, actor=owner.user, assessment=enterprise_assessment)
    enterprise_assessment.refresh_from_db()
    book = exported(enterprise_assessment)
    assert book["表紙"]["B10"].value.endswith("に提出済み (変更不可)")
    assert book["集計"]["A2"].value.endswith("提出時の評価 (変更不可) です。")
    meta = {row[0].value: row[1].value for row in book[METADATA_SHEET].iter_rows()}
    assert meta["status"] == "submitted"


def test_the_hidden_sheet_identifies_the_edition_and_assessment(factory_assessment):
    book = exported(factory_assessment)
    sheet = book[METADATA_SHEET]
    assert sheet.sheet_state == "veryHidden"
    meta = {row[0].value: row[1].value for row in sheet.iter_rows()}
    assert meta["format"] == FORMAT
    assert (meta["guideline"], meta["edition"]) == ("jama-factory", "0.9")
    assert meta["edition_hash"] == factory_assessment.edition.content_hash
    assert meta["assessment"] == factory_assessment.pk
    assert meta["organisation"] == factory_assessment.organisation.corporate_number
    assert (meta["scope_kind"], meta["scope_name"], meta["fiscal_year"]) == ("factory", "Hamamatsu", 2025)


def test_english_headings_when_english_is_chosen(factory_assessment):
    from django.utils import translation

    with translation.override("en"):
        book = exported(factory_assessment)
    assert book.sheetnames[:3] == ["Cover", "Checksheet", "Summary"]
    assert [c.value for c in book["Checksheet"][1]][-3:] == ["Rating", "Reason (required for □)", "Comment and evidence"]


def test_the_download(factory_assessment, alice, django_assert_max_num_queries):
    client = client_for(alice)
    url = f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/checksheet.xlsx"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="Hamamatsu_jama-factory-0.9_FY2025_checksheet.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    assert load_workbook(io.BytesIO(response.content))["チェックシート"].max_row == 64


def test_the_download_takes_the_same_queries_whatever_the_answers(factory_assessment, owner, alice, django_assert_num_queries):
    client = client_for(alice)
    url = f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/checksheet.xlsx"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(10, 60):
        answer(owner, factory_assessment, str(number), "○")
    with django_assert_num_queries(len(few)):
        client.get(url)
