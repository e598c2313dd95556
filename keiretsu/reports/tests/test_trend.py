"""Trend over the years (issue 11, item 5): exact rates per year from known answers, the latest
submitted revision of each year, the industry's mean of that year's release, the items that
changed between two years, the dashboard's chart and the PDF's section; refusals and query
counts.

The mini edition (benchmark tests): section A items 1 (Lv1), 2 (Lv1), 3 (Lv2); section B items
4 (Lv1), 5 (Lv2), 6 (Lv2); ○ achieved, × not, － not applicable.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.benchmark import services as benchmark_services
from keiretsu.benchmark.tests.conftest import (  # noqa: F401 (fixtures)
    body,
    iris,
    make_company,
    mini,
    owner_membership,
    publish,
    recompute,
    send,
    submitted_assessment,
)
from keiretsu.conftest import client_for
from keiretsu.reports import pdf, selectors, trend

pytestmark = pytest.mark.django_db

# FY2023: nothing achieved. FY2024: first "○×××××", then a revision "○○×○××" (the one that
# counts). FY2025: "○○○×○－". A draft of FY2026 is not part of the trend.
YEARS = {2023: "××××××", 2024: "○○×○××", 2025: "○○○×○－"}


def _revise(organisation, assessment, ratings):
    membership = owner_membership(organisation)
    revision = assessment_services.assessment_revise(membership=membership, actor=membership.user, assessment=assessment)
    items = list(assessment.edition.items.order_by("position"))
    for item, rating in zip(items, ratings, strict=True):
        Answer.objects.filter(assessment=revision, item=item).update(rating=rating)
    return assessment_services.assessment_submit(membership=membership, actor=membership.user, assessment=revision)


@pytest.fixture
def company(mini):
    organisation = make_company("Trend Works")
    for year, ratings in YEARS.items():
        if year == 2024:
            first = submitted_assessment(organisation, mini, "○×××××", fiscal_year=year)
            _revise(organisation, first, ratings)
        else:
            submitted_assessment(organisation, mini, ratings, fiscal_year=year)
    membership = owner_membership(organisation)
    assessment_services.assessment_create(
        membership=membership, actor=membership.user, scope=organisation.company_scope, edition=mini, fiscal_year=2026
    )
    return organisation


@pytest.fixture
def release_2024(body, mini):
    """A published FY2024 release of the mini edition: five companies, each "○○○×××" (Lv1 2/3,
    Lv2 1/3, A 3/3, B 0/3, overall 3/6)."""
    membership = owner_membership(body)
    round_ = benchmark_services.round_open(
        membership=membership, actor=membership.user, fiscal_year=2024, editions=[mini], deadline=timezone.localdate()
    )
    for n in range(5):
        peer = make_company(f"Peer {n}")
        send(peer, round_, submitted_assessment(peer, mini, "○○○×××", fiscal_year=2024))
    return publish(membership, recompute(membership, round_, mini))


def _d(value):
    return None if value is None else Decimal(value)


def test_one_point_per_year_from_the_latest_submitted_revision(company, mini):
    (series,) = trend.trends(company)
    assert series.years == [2023, 2024, 2025]
    assert [point.assessment.revision for point in series.points] == [1, 2, 1]
    assert series.overall.values == [_d("0.0"), _d("50.0"), _d("80.0")]  # 0/6, 3/6, 4/5 (－ excluded)
    lv1, lv2 = series.levels
    assert (lv1.label, lv1.values) == ("Lv1", [_d("0.0"), _d("100.0"), _d("66.7")])  # 0/3, 3/3, 2/3
    assert (lv2.label, lv2.values) == ("Lv2", [_d("0.0"), _d("0.0"), _d("100.0")])  # 0/3, 0/3, 2/2
    a, b = series.sections
    assert a.values == [_d("0.0"), _d("66.7"), _d("100.0")]  # 0/3, 2/3, 3/3
    assert b.values == [_d("0.0"), _d("33.3"), _d("50.0")]  # 0/3, 1/3, 1/2
    # No release: no industry figure, nothing drawn for it.
    assert not series.has_industry and series.overall.industry == [None, None, None]


def test_the_industry_mean_of_that_years_release(company, release_2024):
    (series,) = trend.trends(company)
    assert series.overall.industry == [None, _d("50.0"), None]
    assert [line.industry[1] for line in series.levels] == [_d("66.7"), _d("33.3")]
    assert [line.industry[1] for line in series.sections] == [_d("100.0"), _d("0.0")]
    assert series.releases == [release_2024]


def test_the_same_numbers_as_the_scoring_of_each_year(company):
    """The trend reads each submission's frozen scores: the same as its own page shows."""
    from keiretsu.assessments.selectors import assessment_scores

    (series,) = trend.trends(company)
    for point in series.points:
        assert point.scores == assessment_scores(point.assessment).scores


def test_query_count_does_not_grow_with_the_years(mini, release_2024):
    one = make_company("One Year")
    submitted_assessment(one, mini, "○○○○○○", fiscal_year=2024)
    many = make_company("Many Years")
    for year in range(2018, 2026):
        submitted_assessment(many, mini, "○×○×○×", fiscal_year=year)
    trend.trends(one)  # the edition's structure is cached per process after the first read
    with CaptureQueriesContext(connection) as few:
        trend.trends(one)
    with CaptureQueriesContext(connection) as lots:
        (series,) = trend.trends(many)
    assert len(series.points) == 8
    assert len(lots) == len(few) <= 3


def test_changes_between_two_years(company):
    (series,) = trend.trends(company)
    comparison = trend.rating_changes(series, 2024, 2025)
    assert [(c.item.number, c.before, c.after, c.direction) for c in comparison.changes] == [
        ("3", "×", "○", "better"),
        ("4", "○", "×", "worse"),
        ("5", "×", "○", "better"),
        ("6", "×", "－", ""),
    ]
    assert (comparison.better, comparison.worse) == (2, 1)


def test_changes_page(company):
    client = client_for(owner_membership(company).user)
    url = reverse("reports:trend_changes", args=[company.pk])
    scope = company.company_scope.pk
    edition = company.assessments.first().edition_id
    response = client.get(url, {"scope": scope, "edition": edition, "from": 2023, "to": 2025})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2023年度" in body and "2025年度" in body
    assert body.count('<td class="rating" data-label="2023年度">×</td>') == 5  # items 1-4 and 6 (5 stayed ×)
    assert body.count('data-label="→ 2025年度">○</td>') == 4  # items 1, 2, 3, 5
    assert "新たに達成" in body


def test_changes_page_refuses_bad_years_with_a_message(company):
    client = client_for(owner_membership(company).user)
    url = reverse("reports:trend_changes", args=[company.pk])
    query = {"scope": company.company_scope.pk, "edition": company.assessments.first().edition_id}
    response = client.get(url, {**query, "from": 2022, "to": 2025})
    assert response.status_code == 400
    assert "提出済みの自己評価がある年度を2つ選んでください" in response.content.decode()
    response = client.get(url, {**query, "from": 2025, "to": 2025})
    assert response.status_code == 400
    assert "異なる2つの年度" in response.content.decode()


def test_another_organisations_trend_is_not_found(company, mini):
    other = make_company("Other Co")
    submitted_assessment(other, mini, "○○○○○○", fiscal_year=2024)
    submitted_assessment(other, mini, "○○○○○○", fiscal_year=2025)
    client = client_for(owner_membership(company).user)
    # Its scope through our organisation's URL: not ours, 404.
    url = reverse("reports:trend_changes", args=[company.pk])
    response = client.get(url, {"scope": other.company_scope.pk, "edition": mini.pk, "from": 2024, "to": 2025})
    assert response.status_code == 404
    # Its organisation's pages: not a member, 404.
    assert client.get(reverse("reports:trend", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:trend_changes", args=[other.pk]), {"scope": other.company_scope.pk, "edition": mini.pk}).status_code == 404


def test_trend_page_shows_every_label_and_the_industry(company, release_2024):
    client = client_for(owner_membership(company).user)
    body = client.get(reverse("reports:trend", args=[company.pk])).content.decode()
    assert "<svg" in body and 'class="trend-chart"' in body
    assert "A 管理" in body and "B 技術" in body
    assert "業界平均" in body


def _numbers_in(svg):
    return [int(size) for size in re.findall(r'font-size="(\d+)"', svg)]


def test_dashboard_chart_with_a_table_for_screen_readers(company, release_2024):
    client = client_for(owner_membership(company).user)
    body = client.get(reverse("assessments:dashboard", args=[company.pk])).content.decode()
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart".*?</svg>', body, re.S).group(0)
    assert min(_numbers_in(svg)) >= 11
    for tick in ("0%", "25%", "50%", "75%", "100%"):
        assert f">{tick}</text>" in svg
    assert 'stroke-dasharray' in svg  # the industry's mean, dashed
    table = re.search(r'<table class="trend-table visually-hidden">.*?</table>', body, re.S).group(0)
    assert "80.0%" in table and "50.0%" in table  # overall 2025, the industry 2024


def test_dashboard_query_count_does_not_grow_with_the_years(mini):
    def dashboard_queries(organisation):
        client = client_for(owner_membership(organisation).user)
        url = reverse("assessments:dashboard", args=[organisation.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    two = make_company("Two Years")
    for year in (2024, 2025):
        submitted_assessment(two, mini, "○○○×××", fiscal_year=year)
    six = make_company("Six Years")
    for year in range(2020, 2026):
        submitted_assessment(six, mini, "○○○×××", fiscal_year=year)
    assert dashboard_queries(six) == dashboard_queries(two)


def test_management_report_has_the_trend_and_the_plan(company, release_2024, mini):
    from keiretsu.improvement import services as improvement_services

    membership = owner_membership(company)
    latest = company.assessments.get(fiscal_year=2025)
    items = list(mini.items.filter(number__in=["4", "6"]))
    today = timezone.localdate()
    improvement_services.action_create(
        membership=membership, actor=membership.user, scope=company.company_scope, edition=mini, items=items[:1],
        title="Patch the servers", description="", owner=membership.user,
        start_date=today - datetime.timedelta(days=40), due_date=today - datetime.timedelta(days=3),
    )
    improvement_services.action_create(
        membership=membership, actor=membership.user, scope=company.company_scope, edition=mini, items=items[1:],
        title="Write the backup rule", description="", owner=None,
        start_date=today, due_date=today + datetime.timedelta(days=30),
    )
    with translation.override("ja"):
        report = selectors.management_report(latest)
        html = pdf.report_html(report)
    assert report.trend.years == [2023, 2024, 2025]
    assert [row.action.title for group in report.plan.levels for row in group.rows] == [
        "Patch the servers", "Write the backup rule",
    ]
    assert [group.level for group in report.plan.levels] == ["Lv1", "Lv2"]
    assert (report.plan.total, report.plan.overdue) == (2, 1)
    assert "推移" in html and "対策計画" in html
    assert html.count("期限超過") >= 2  # the count line and the overdue row
    assert 'class="trend-chart"' in html


def test_changes_page_without_a_choice_compares_the_last_two_years(company, mini):
    client = client_for(owner_membership(company).user)
    response = client.get(reverse("reports:trend_changes", args=[company.pk]))
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.before.fiscal_year, comparison.after.fiscal_year) == (2024, 2025)
    assert len(comparison.changes) == 4


def test_changes_page_with_a_single_year_says_so(mini):
    single = make_company("Single Year")
    submitted_assessment(single, mini, "○○○○○○", fiscal_year=2025)
    client = client_for(owner_membership(single).user)
    response = client.get(reverse("reports:trend_changes", args=[single.pk]))
    assert response.status_code == 200 and "2年度目から" in response.content.decode()
