"""A company's result against a published release: the Comparison interface (also used by the PDF report)."""

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.benchmark import selectors
from keiretsu.benchmark.models import Round
from keiretsu.benchmark.selectors import Comparison, ComparisonRow, FocusItem, comparison_for_assessment
from keiretsu.catalogue.services import edition_load
from keiretsu.reports import selectors as report_selectors

from .conftest import (
    FY,
    company_with_submission,
    make_company,
    mini_spec,
    publish,
    recompute,
    send,
    submitted_assessment,
)

SIX = ["○○○○○○", "○○×○××", "○×○○○－", "××××××", "○○○○×○", "○○－○○○"]


def published_six(round_, mini, body_membership):
    companies = [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]
    release = publish(body_membership, recompute(body_membership, round_, mini))
    return companies, release


def test_own_result_against_industry_and_segment(round_, mini, body_membership, body):
    companies, _release = published_six(round_, mini, body_membership)
    _organisation, assessment, _submission = companies[1]  # ○○×○××

    with translation.override("en"):
        comparison = comparison_for_assessment(assessment)

    assert isinstance(comparison, Comparison)
    assert comparison.release_label == f"{FY}年度・{body.name}"
    assert comparison.segment_label == "Tier 1"
    assert comparison.overall == ComparisonRow("overall", "Overall", Decimal("50.0"), Decimal("68.9"), Decimal("68.9"))
    assert comparison.by_level == [
        ComparisonRow("Lv1", "Level 1", Decimal("100.0"), Decimal("77.8"), Decimal("77.8")),
        ComparisonRow("Lv2", "Level 2", Decimal("0.0"), Decimal("61.1"), Decimal("61.1")),
    ]
    assert comparison.by_section == [
        ComparisonRow("A", "Management", Decimal("66.7"), Decimal("72.2"), Decimal("72.2")),
        ComparisonRow("B", "Technical", Decimal("33.3"), Decimal("66.7"), Decimal("66.7")),
    ]
    # Rates 0, 1/2, 4/5, 5/6, 1, 1: one below 1/2 and one equal (itself): (1 + 1/2) / 6 = 25 %.
    assert comparison.percentile == 25
    assert comparison.focus_items == []  # its missing items 3, 5, 6: 60 %, 50 %, 60 % of peers < 70 %


def test_focus_items_priority_first_then_level(round_, mini, body_membership, settings):
    companies, _release = published_six(round_, mini, body_membership)
    _organisation, assessment, _submission = companies[3]  # ×××××× : nothing achieved

    # Peers: item 1 83.3 % (priority, Lv1), 2 66.7 % (priority, Lv1), 3 60 % (Lv2),
    # 4 83.3 % (Lv1), 5 50 % (Lv2), 6 60 % (Lv2).
    assert [(f.number, f.peers_achieved) for f in comparison_for_assessment(assessment).focus_items] == [
        ("1", Decimal("83.3")),
        ("4", Decimal("83.3")),
    ]
    settings.BENCHMARK_FOCUS_SHARE = 60
    focus = comparison_for_assessment(assessment).focus_items
    assert [f.number for f in focus] == ["1", "2", "4", "3", "6"]
    assert focus[0] == FocusItem("1", "項目1の対策", "Lv1", True, Decimal("83.3"))
    assert comparison_for_assessment(assessment).percentile == 8  # (0 + 1/2) / 6


def test_not_applicable_items_are_never_focus_issues(round_, mini, body_membership, settings):
    companies, _release = published_six(round_, mini, body_membership)
    settings.BENCHMARK_FOCUS_SHARE = 50
    _organisation, assessment, _submission = companies[2]  # ○×○○○－ : item 6 not applicable
    assert [f.number for f in comparison_for_assessment(assessment).focus_items] == ["2"]


def test_no_release_no_comparison(round_, mini, body_membership):
    companies = [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]
    recompute(body_membership, round_, mini)  # a draft is not visible to companies
    assert comparison_for_assessment(companies[0][1]) is None


def test_the_latest_release_before_a_later_year_is_used(round_, mini, body_membership):
    companies, release = published_six(round_, mini, body_membership)
    organisation = companies[0][0]
    next_year = submitted_assessment(organisation, mini, "○○○○○○", fiscal_year=FY + 1)
    assert selectors.release_for_assessment(next_year) == release
    earlier = submitted_assessment(organisation, mini, "○○○○○○", fiscal_year=FY - 1)
    assert comparison_for_assessment(earlier) is None


def test_change_since_last_year_own_and_industry(mini, body, body_membership):
    # Last year's round and its published release: five companies at ○○×××× (Lv1 2/3, Lv2 0).
    last_round = Round.objects.create(body=body, fiscal_year=FY - 1, deadline=timezone.localdate())
    last_round.editions.set([mini])
    companies = [make_company(f"Company {i}") for i in range(5)]
    for organisation in companies:
        send(organisation, last_round, submitted_assessment(organisation, mini, "○○××××", fiscal_year=FY - 1))
    publish(body_membership, recompute(body_membership, last_round, mini))
    Round.objects.filter(pk=last_round.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=200))

    this_round = Round.objects.create(body=body, fiscal_year=FY, deadline=timezone.localdate())
    this_round.editions.set([mini])
    this_year = submitted_assessment(companies[0], mini, "○○○○××")
    send(companies[0], this_round, this_year)
    for organisation in companies[1:]:
        send(organisation, this_round, submitted_assessment(organisation, mini, "○○○○○○"))
    release = publish(body_membership, recompute(body_membership, this_round, mini))

    detail = selectors.build_comparison(this_year, release)
    own = {row.code: (row.previous, row.current, row.delta) for row in detail.own_changes}
    # The change is the difference of the two figures shown (33.3 % then 66.7 %).
    assert own["overall"] == (Decimal("33.3"), Decimal("66.7"), Decimal("33.4"))
    assert own["Lv1"] == (Decimal("66.7"), Decimal("100.0"), Decimal("33.3"))
    industry = {row.code: (row.previous, row.current) for row in detail.industry_changes}
    # This year Lv1 = 1 for all five; Lv2 = 1/3 for one and 1 for four: (1/3 + 4) / 5 = 86.7 %.
    assert industry["Lv1"] == (Decimal("66.7"), Decimal("100.0"))
    assert industry["Lv2"] == (Decimal("0.0"), Decimal("86.7"))
    assert detail.previous_release.round == last_round


def test_last_year_is_the_same_edition_for_the_comparison_the_report_and_the_checklist(round_, mini, body_membership):
    """One definition of "last year" (docs/rules.md): after a new edition of the guideline, the
    comparison page, the management report and the checklist all have none; within one edition,
    all three compare with the same assessment."""
    companies, release = published_six(round_, mini, body_membership)
    organisation = companies[0][0]
    new_edition = edition_load(spec=mini_spec("2.0")).edition
    last_year_old_edition = submitted_assessment(organisation, mini, "××××××", fiscal_year=FY - 1)
    this_year_new_edition = submitted_assessment(organisation, new_edition, "○○○○○○", fiscal_year=FY)
    assert assessment_selectors.previous_year_assessment(this_year_new_edition) is None
    assert selectors.build_comparison(this_year_new_edition, release).own_changes == []
    assert report_selectors.management_report(this_year_new_edition).change is None
    assert assessment_selectors.previous_year_ratings(this_year_new_edition) == {}

    this_year = companies[0][1]  # the same edition (mini), this year
    assert assessment_selectors.previous_year_assessment(this_year) == last_year_old_edition
    assert selectors.build_comparison(this_year, release).previous_assessment == last_year_old_edition
    assert report_selectors.management_report(this_year).change.previous == last_year_old_edition
    assert set(assessment_selectors.previous_year_ratings(this_year).values()) == {"×"}
