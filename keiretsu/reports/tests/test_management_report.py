"""The management report: what page one says, the change since last year, the industry
comparison when the benchmark has a release, and the PDF itself (A4, Japanese text)."""

import os
import re
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone, translation

from keiretsu.assessments import services as assessment_services
from keiretsu.conftest import client_for, make_organisation, make_user
from keiretsu.interchange.tests.conftest import FY, answer
from keiretsu.programme.scoring import percent
from keiretsu.reports import pdf, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def industry_release(enterprise):
    """A real published release of the enterprise edition for FY2025: six companies of Alpha's
    segment (tier 1, medium, parts); five achieved every Lv1 and Lv2 item and no Lv3 item, one
    achieved nothing."""
    from keiretsu.benchmark import services as benchmark_services
    from keiretsu.benchmark.tests.conftest import (
        make_company,
        owner_membership,
        publish,
        recompute,
        send,
        submitted_assessment,
    )

    body = make_organisation(make_user("iris@body.example"), "一般社団法人 テスト工業会", "900000000019")
    benchmark_services.industry_body_set(actor=None, organisation=body, is_body=True)
    body.refresh_from_db()
    body_membership = owner_membership(body)
    round_ = benchmark_services.round_open(
        membership=body_membership,
        actor=body_membership.user,
        fiscal_year=FY,
        editions=[enterprise],
        deadline=timezone.localdate(),
    )
    levels = list(enterprise.items.order_by("position").values_list("level", flat=True))
    good = "".join("×" if level == "Lv3" else "○" for level in levels)
    for n, ratings in enumerate([good] * 5 + ["×" * len(levels)]):
        company = make_company(f"Peer {n}")
        send(company, round_, submitted_assessment(company, enterprise, ratings, fiscal_year=FY))
    return publish(body_membership, recompute(body_membership, round_, enterprise))


def poppler(tool):
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("KEIRETSU_REQUIRE_BROWSER"):
            pytest.fail(f"{tool} is required (poppler-utils)")
        pytest.skip(f"{tool} is not installed (poppler-utils)")
    return path


def pdf_text(content: bytes, tmp_path, first=None, last=None) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    command = [poppler("pdftotext"), "-layout"]
    if first:
        command += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*command, str(path), "-"], capture_output=True, check=True, text=True).stdout


def page_count(content: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    info = subprocess.run([poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_focus_items_without_a_release_are_the_open_items_priority_first_then_by_level(enterprise_assessment, owner):
    edition = enterprise_assessment.edition
    for item in edition.items.all():
        if item.number not in ("16", "18", "5", "42", "43", "6"):
            answer(owner, enterprise_assessment, item.number, "○")
    answer(owner, enterprise_assessment, "6", "－")  # not applicable: never a focus item
    answer(owner, enterprise_assessment, "5", "×")
    report = selectors.management_report(enterprise_assessment)
    assert selectors.industry_comparison(enterprise_assessment) is None
    assert not report.focus_from_benchmark
    assert [(f.number, f.level, f.priority, f.rating) for f in report.focus] == [
        ("16", "Lv1", True, ""),
        ("18", "Lv1", True, ""),
        ("5", "Lv2", False, "×"),
        ("42", "Lv3", False, ""),
        ("43", "Lv3", False, ""),
    ]
    assert report.next_level.code == "Lv1" and report.open_for_next_level == 2
    assert [(line.code, line.rate.applicable, line.rate.achieved, line.attained) for line in report.levels] == [
        ("Lv1", 50, 48, False),
        ("Lv2", 73, 72, False),
        ("Lv3", 29, 27, False),
    ]


def next_year(enterprise_assessment, owner, alpha):
    """Last year's assessment submitted with No.1 and No.2 achieved; this year's started from it."""
    for item in enterprise_assessment.edition.items.order_by("position"):
        answer(owner, enterprise_assessment, item.number, "○" if item.number in ("1", "2") else "×")
    assessment_services.assessment_submit(membership=owner, actor=owner.user, assessment=enterprise_assessment)
    return assessment_services.assessment_create(
        membership=owner, actor=owner.user, scope=alpha.company_scope, edition=enterprise_assessment.edition,
        fiscal_year=FY + 1, carry_forward=True,
    )


def test_the_change_since_last_year(enterprise_assessment, owner, alpha):
    this_year = next_year(enterprise_assessment, owner, alpha)
    answer(owner, this_year, "2", "×")
    answer(owner, this_year, "3", "○")
    answer(owner, this_year, "4", "○")
    answer(owner, this_year, "7", "－")
    report = selectors.management_report(this_year)
    change = report.change
    assert change.previous == enterprise_assessment
    assert change.overall_previous == Decimal("1.3")  # 2 of 153
    assert report.scores.overall.achievement_percent == Decimal("2.0")  # 3 of 152
    assert change.overall_delta == Decimal("0.7")
    assert [c.item.number for c in change.improved] == ["3", "4"]
    assert [(c.item.number, c.before, c.after) for c in change.worsened] == [("2", "○", "×")]
    lv1 = report.levels[0]
    assert (lv1.previous, lv1.percent, lv1.delta) == (Decimal("4.0"), Decimal("6.0"), Decimal("2.0"))


def test_no_change_without_last_years_submission(factory_assessment):
    assert selectors.management_report(factory_assessment).change is None


def test_the_pdf_is_a4_with_extractable_japanese_text(factory_assessment, tmp_path):
    content = pdf.render_pdf(selectors.management_report(factory_assessment))
    assert content.startswith(b"%PDF-")
    # Page one; the trend over the years and the improvement plan; then 63 items in 17 labels over four pages.
    assert page_count(content, tmp_path) == 6
    first = pdf_text(content, tmp_path, 1)
    assert "サイバーセキュリティ自己評価 経営者向けレポート" in first
    assert "Alpha Parts" in first and "Hamamatsu" in first and "2025年度" in first
    assert "この自己評価は回答中です。提出するまで数値は変わります。" in first
    assert "1.6%" in first and "達成率 (1/62)" in first  # the web page's figures
    assert "ラベル別の達成率" in first and "体制(平時)" in first
    assert "重点的に取り組む項目" in first
    assert "業界の集計がないため、未達成の項目を優先項目、レベルの順に示しています。" in first
    assert "業界の集計はまだ公表されていません。" in first
    assert "昨年度に提出した自己評価がない" in first
    assert "ラベル別の詳細" not in first
    second = pdf_text(content, tmp_path, 2)
    assert second.lstrip().startswith("推移")  # no submission yet: a sentence says so
    assert "提出済みの自己評価はまだありません" in second and "対策計画" in second
    third = pdf_text(content, tmp_path, 3)
    assert third.lstrip().startswith("ラベル別の詳細")
    assert "来年度予算で対応予定" in third
    path = tmp_path / "a4.pdf"
    path.write_bytes(content)
    info = subprocess.run([poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_the_pdf_with_an_industry_release(enterprise_assessment, owner, industry_release, tmp_path):
    """The report uses the benchmark's real comparison (benchmark.selectors) with a published release."""
    edition = enterprise_assessment.edition
    for item in edition.items.filter(level="Lv1"):
        answer(owner, enterprise_assessment, item.number, "○")
    report = selectors.management_report(enterprise_assessment)
    assert report.comparison is not None and report.focus_from_benchmark
    count = {level: edition.items.filter(level=level).count() for level in ("Lv1", "Lv2", "Lv3")}
    # Peers' mean per level: five at 100 % and one at 0 % for Lv1 and Lv2; nobody at Lv3.
    assert [(line.code, line.industry, line.segment) for line in report.levels] == [
        ("Lv1", Decimal("83.3"), Decimal("83.3")),
        ("Lv2", Decimal("83.3"), Decimal("83.3")),
        ("Lv3", Decimal("0.0"), Decimal("0.0")),
    ]
    overall = percent(Fraction(5 * (count["Lv1"] + count["Lv2"]), 6 * 153))
    assert report.comparison.overall.industry == overall
    # Focus: what Alpha has not achieved and at least 70 % of peers have (5 of 6): Lv2, in order.
    lv2 = list(edition.items.filter(level="Lv2").order_by("position"))
    assert [(f.number, f.peers_achieved) for f in report.focus] == [(i.number, Decimal("83.3")) for i in lv2[:7]]
    # Alpha (Lv1 only) is above one of the six companies: (1 + 0/2) / 6 = 16.7 -> 17th percentile.
    assert report.comparison.percentile == 17
    content = pdf.render_pdf(report)
    first = pdf_text(content, tmp_path, 1)
    assert "Lv1 達成" in first
    assert "業界との比較" in first and report.comparison.release_label in first
    assert report.comparison.segment_label in first
    assert "83.3%" in first and f"{overall}%" in first
    assert "同じ区分の会社の中での順位（パーセンタイル）：17" in first
    assert "同じ区分の多くの会社が達成しているのに、自社では未達成の項目です。" in first
    assert f"No.{lv2[0].number}" in first
    assert "ラベル別の詳細" not in first


def test_the_report_page(factory_assessment, alice, django_assert_max_num_queries):
    client = client_for(alice)
    url = f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/report.pdf"
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Hamamatsu_jama-factory-0.9_FY2025_report.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_report_page_is_only_for_members(factory_assessment, mallory, beta, vera, client):
    url = f"/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}/report.pdf"
    assert client_for(mallory).get(url).status_code == 404
    assert client_for(mallory).get(f"/o/{beta.pk}/assessments/{factory_assessment.pk}/report.pdf").status_code == 404
    assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client_for(vera).get(url).status_code == 200  # viewers may print it


JAPANESE = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_management_report_ends_japanese_sentences_with_a_full_stop(enterprise_assessment, owner, alpha):
    this_year = next_year(enterprise_assessment, owner, alpha)
    answer(owner, this_year, "1", "×")
    answer(owner, this_year, "3", "○")
    with translation.override("ja"):
        text = visible_text(pdf.report_html(selectors.management_report(this_year)))
    assert "No.3" in text and "No.1" in text
    assert not re.search(r"No\.\d+\s*\.", text), re.findall(r".{30}No\.\d+\s*\..{5}", text)
    assert not re.search(JAPANESE + r"\s*[.:]\s", text), re.findall(".{20}" + JAPANESE + r"\s*[.:]\s.{5}", text)
    assert "新たに達成した項目は 1 件です（No.3）。" in text
