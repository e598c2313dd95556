"""CSV of answers and of scores: UTF-8 with BOM for Japanese Excel, the web page's numbers, no formulas."""

import csv
import io

import pytest

from keiretsu.conftest import client_for
from keiretsu.interchange.selectors import assessment_data
from keiretsu.programme.scoring import percent

pytestmark = pytest.mark.django_db


def rows_of(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith("\ufeff".encode())  # the BOM Japanese Excel needs
    assert b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


SCORE_HEADINGS = ["項目数", "回答済み", "対象項目数", "達成項目数", "検討済み項目数", "達成率（%）", "検討率（%）"]


def test_one_heading_per_concept_in_every_csv_the_workbook_and_the_pdf(enterprise_assessment, alice):
    from openpyxl import load_workbook

    from keiretsu.reports import pdf, selectors

    client = client_for(alice)
    org, pk = enterprise_assessment.organisation_id, enterprise_assessment.pk
    scores = rows_of(client.get(f"/o/{org}/assessments/{pk}/scores.csv"))[0]
    assert len(scores) == len(set(scores)), scores  # no two columns headed alike
    organisation = rows_of(client.get(f"/o/{org}/scores.csv"))[0]
    assert len(organisation) == len(set(organisation)), organisation
    for heading in SCORE_HEADINGS + ["達成レベル"]:
        assert heading in scores and heading in organisation, heading
    assert "優先項目の達成率（%）" in organisation
    for headings in (scores, organisation):
        assert not any("(%)" in h or "検討済み率" in h for h in headings), headings
    book = load_workbook(io.BytesIO(client.get(f"/o/{org}/assessments/{pk}/checksheet.xlsx").content))
    summary = [cell.value for row in book["集計"].iter_rows() for cell in row if cell.value]
    assert {"項目数", "対象項目数", "達成項目数", "達成率（%）", "検討率（%）"} <= set(summary)
    html = pdf.report_html(selectors.management_report(enterprise_assessment))
    assert "達成率（%）" in html and "達成項目数" in html


def test_answers_csv(factory_assessment, alice):
    response = client_for(alice).get(f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/answers.csv")
    assert response["Content-Disposition"] == 'attachment; filename="Hamamatsu_jama-factory-0.9_FY2025_answers.csv"'
    rows = rows_of(response)
    assert rows[0] == ["No.", "ラベル番号", "ラベル", "優先", "評価", "評価の意味", "理由", "コメント・根拠資料", "更新者", "更新日時"]
    assert len(rows) == 64
    assert rows[1][:8] == ["1", "1", "体制(平時)", "", "○", "実施済み", "", "体制図を2025年4月に改訂"]
    assert rows[1][8] == "alice@alpha.example"
    assert rows[2][4:7] == ["□", "見送り・準備中", "来年度予算で対応予定"]
    assert rows[6][4] == "" and rows[6][8] == ""  # not answered
    # A comment Excel would run as a formula is written as text.
    assert rows[5][7] == "'=HYPERLINK(\"http://evil.example\",\"click\")"


def test_answers_csv_has_a_level_column_for_editions_with_levels(enterprise_assessment, alice):
    rows = rows_of(client_for(alice).get(
        f"/o/{enterprise_assessment.organisation_id}/assessments/{enterprise_assessment.pk}/answers.csv"
    ))
    assert rows[0][:5] == ["No.", "ラベル番号", "ラベル", "レベル", "優先"]
    assert rows[16][0] == "16" and rows[16][3] == "Lv1" and rows[16][4] == "★"


def test_scores_csv_has_the_numbers_of_the_web_page(factory_assessment, alice):
    rows = rows_of(client_for(alice).get(f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/scores.csv"))
    assert rows[0] == ["種類", "コード", "名称", *SCORE_HEADINGS, "達成レベル"]
    scores = assessment_data(factory_assessment).scores
    overall = rows[1]
    assert overall[0] == "全項目" and overall[3:10] == [
        "63", "5", str(scores.overall.applicable), "1", "2",
        str(percent(scores.overall.achievement)), str(percent(scores.overall.examination)),
    ]
    assert overall[8:10] == ["1.6", "3.2"]
    assert rows[2][0] == "優先項目"
    labels = {row[1]: row for row in rows if row[0] == "ラベル"}
    assert len(labels) == 17
    assert labels["1"][2:] == ["体制(平時)", "3", "3", "3", "1", "2", "33.3", "66.7", ""]
    assert labels["17"][8:10] == ["0.0", "0.0"]


def test_an_undefined_rate_is_not_a_number(factory_assessment, alice, owner):
    from .conftest import answer

    for number in ("8", "9", "10", "11", "12", "13"):
        answer(owner, factory_assessment, number, "－")
    rows = rows_of(client_for(alice).get(f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/scores.csv"))
    label = next(row for row in rows if row[0] == "ラベル" and row[1] == "4")
    assert label[5:10] == ["0", "0", "0", "－", "－"]


def test_scores_csv_of_an_edition_with_levels(enterprise_assessment, alice, owner):
    from .conftest import answer

    for item in enterprise_assessment.edition.items.filter(level="Lv1"):
        answer(owner, enterprise_assessment, item.number, "○")
    rows = rows_of(client_for(alice).get(
        f"/o/{enterprise_assessment.organisation_id}/assessments/{enterprise_assessment.pk}/scores.csv"
    ))
    assert rows[1][-1] == "Lv1"
    levels = {row[1]: row for row in rows if row[0] == "レベル"}
    assert levels["Lv1"][3:] == ["50", "50", "50", "50", "50", "100.0", "100.0", "✓"]
    assert levels["Lv2"][3:] == ["74", "0", "74", "0", "0", "0.0", "0.0", ""]


def test_organisation_scores_csv_lists_the_latest_assessments(factory_assessment, enterprise_assessment, alice,
                                                              django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        response = client.get(f"/o/{factory_assessment.organisation_id}/scores.csv")
    rows = rows_of(response)
    assert rows[0][:9] == ["会社名", "法人番号", "評価対象", "ガイドライン", "版", "年度", "改訂", "状態", "達成レベル"]
    assert rows[0][9:] == [*SCORE_HEADINGS, "優先項目の達成率（%）"]
    assert len(rows) == 3
    by_scope = {row[2]: row for row in rows[1:]}
    assert by_scope["Hamamatsu"][8] == ""  # the factory edition has no levels
    assert by_scope["Alpha Parts"][8] == "なし" and by_scope["Alpha Parts"][4] == "エンタープライズ版 2.3版"


def test_formula_like_company_names_are_neutralised(factory_assessment, alice, alpha):
    alpha.name = "@SUM(A1)"
    alpha.save()
    rows = rows_of(client_for(alice).get(f"/o/{alpha.pk}/scores.csv"))
    assert rows[1][0] == "'@SUM(A1)"
