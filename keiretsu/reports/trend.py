"""Trend over the years (issue 11, item 5): for each scope and edition of an organisation, the
overall rate, each level and each label in every fiscal year, from the latest submitted
revision of each year, with the industry's mean of the published release for that edition and
year where there is one; and the items whose rating changed between two years.

Every rate is the frozen ScoreSummary of a submission (assessments.selectors.scored_assessments,
scoring.score() for one without a snapshot), shown with scoring.percent(): the trend and the
year's own pages agree to the digit. Read in a constant number of queries however many years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from keiretsu.accounts.models import Scope
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.assessments.selectors import scored_assessments
from keiretsu.catalogue.models import Edition, Item
from keiretsu.catalogue.selectors import EditionStructure
from keiretsu.lib.fiscal_year import fiscal_year_label
from keiretsu.programme.scoring import Rate, ScoreSummary


@dataclass
class TrendPoint:
    fiscal_year: int
    assessment: Assessment
    scores: ScoreSummary
    industry: object | None = None  # benchmark's IndustryMeans for this edition and year

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


@dataclass
class TrendLine:
    """One rate over the years: a row of the table and a line of the chart."""

    key: str  # "overall", "level:<code>", "section:<code>"
    label: str
    values: list[Decimal | None]  # one per year, in the trend's year order
    industry: list[Decimal | None]  # the industry's mean that year (None: no release or no figure)

    @property
    def has_industry(self) -> bool:
        return any(value is not None for value in self.industry)

    @property
    def is_section(self) -> bool:
        return self.key.startswith("section:")


@dataclass
class Trend:
    scope: Scope
    edition: Edition
    structure: EditionStructure
    points: list[TrendPoint]
    overall: TrendLine | None = None
    levels: list[TrendLine] = field(default_factory=list)
    sections: list[TrendLine] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.scope.pk}-{self.edition.pk}"

    @property
    def years(self) -> list[int]:
        return [point.fiscal_year for point in self.points]

    @property
    def lines(self) -> list[TrendLine]:
        return [self.overall, *self.levels, *self.sections]

    @property
    def has_industry(self) -> bool:
        return any(point.industry is not None for point in self.points)

    @property
    def releases(self) -> list:
        return [point.industry.release for point in self.points if point.industry is not None]


def _industry_means(organisation_id, pairs) -> dict:
    try:
        from keiretsu.benchmark.selectors import industry_means
    except ImportError:  # an instance without the benchmark
        return {}
    return industry_means(organisation_id, pairs)


def submitted_per_year(organisation_id, *, scope_id=None, edition_id=None):
    """The latest submitted revision of each scope, edition and fiscal year (one query)."""
    newer = Assessment.objects.filter(
        scope=OuterRef("scope"),
        edition=OuterRef("edition"),
        fiscal_year=OuterRef("fiscal_year"),
        status=Assessment.Status.SUBMITTED,
        revision__gt=OuterRef("revision"),
    )
    assessments = Assessment.objects.filter(organisation=organisation_id, status=Assessment.Status.SUBMITTED).filter(
        ~Exists(newer)
    )
    if scope_id is not None:
        assessments = assessments.filter(scope=scope_id)
    if edition_id is not None:
        assessments = assessments.filter(edition=edition_id)
    return assessments.select_related("scope__parent", "scope__organisation", "edition__guideline").order_by(
        "fiscal_year", "pk"
    )


def _line(key, label, points, rate_of, industry_of) -> TrendLine:
    return TrendLine(
        key=key,
        label=label,
        values=[rate_of(point.scores).achievement_percent for point in points],
        industry=[industry_of(point.industry) if point.industry is not None else None for point in points],
    )


def _build(scope, edition, structure, points) -> Trend:
    trend = Trend(scope, edition, structure, points)
    trend.overall = _line("overall", _("All items"), points, lambda s: s.overall, lambda m: m.overall)
    trend.levels = [
        _line(
            f"level:{code}",
            code,
            points,
            lambda s, code=code: s.by_level.get(code, Rate()),
            lambda m, code=code: m.levels.get(code),
        )
        for code in edition.level_codes
    ]
    trend.sections = [
        _line(
            f"section:{section.code}",
            f"{section.code} {section.display_title}",
            points,
            lambda s, code=section.code: s.by_section.get(code, Rate()),
            lambda m, code=section.code: m.sections.get(code),
        )
        for section in structure.top_sections
    ]
    return trend


def trends(organisation, *, scope_id=None, edition_id=None) -> list[Trend]:
    """Every scope and edition of the organisation with a submitted assessment (or only the one
    asked for), each with one point per fiscal year. Four queries at most, however many years
    (the assessments, the edition structures when not cached, the answers of a submission
    without a frozen snapshot, the releases)."""
    assessments = list(submitted_per_year(organisation.pk, scope_id=scope_id, edition_id=edition_id))
    if not assessments:
        return []
    scored = scored_assessments(assessments)
    means = _industry_means(organisation.pk, {(a.edition_id, a.fiscal_year) for a in assessments})
    grouped: dict[tuple[int, int], list[TrendPoint]] = {}
    for assessment in assessments:
        grouped.setdefault((assessment.scope_id, assessment.edition_id), []).append(
            TrendPoint(
                assessment.fiscal_year,
                assessment,
                scored[assessment.pk].scores,
                means.get((assessment.edition_id, assessment.fiscal_year)),
            )
        )
    result = []
    for points in grouped.values():
        first = points[0].assessment
        result.append(_build(first.scope, first.edition, scored[first.pk].structure, points))
    # In the dashboard's order of its cards (assessments.selectors.latest_assessments).
    result.sort(key=lambda t: (t.scope.kind != "company", t.scope.display_name, str(t.edition)))
    return result


def trend_of(assessment: Assessment) -> Trend | None:
    """The trend of an assessment's scope and edition (the management report's section)."""
    found = trends(assessment.organisation, scope_id=assessment.scope_id, edition_id=assessment.edition_id)
    return found[0] if found else None


@dataclass
class RatingChange:
    item: Item
    before: str
    after: str
    direction: str  # "better" (now achieved), "worse" (no longer achieved) or "" (another change)


@dataclass
class YearComparison:
    trend: Trend
    before: TrendPoint
    after: TrendPoint
    changes: list[RatingChange]

    @property
    def better(self) -> int:
        return sum(1 for change in self.changes if change.direction == "better")

    @property
    def worse(self) -> int:
        return sum(1 for change in self.changes if change.direction == "worse")


def rating_changes(trend: Trend, year_before: int, year_after: int) -> YearComparison:
    """The items whose rating differs between the submissions of two years of one trend (both
    ratings; "" for not answered). The years must be years of the trend. One query."""
    points = {point.fiscal_year: point for point in trend.points}
    before, after = points[year_before], points[year_after]
    ratings: dict[int, dict[int, str]] = {before.assessment.pk: {}, after.assessment.pk: {}}
    for assessment_id, item_id, rating in Answer.objects.filter(
        assessment__in=[before.assessment.pk, after.assessment.pk]
    ).values_list("assessment_id", "item_id", "rating"):
        ratings[assessment_id][item_id] = rating
    scale = trend.edition.rating_scale
    changes = []
    for item in trend.structure.items:
        old = ratings[before.assessment.pk].get(item.pk, "")
        new = ratings[after.assessment.pk].get(item.pk, "")
        if old == new:
            continue
        direction = ""
        if scale.is_achieved(new) and not scale.is_achieved(old):
            direction = "better"
        elif scale.is_achieved(old) and not scale.is_achieved(new) and scale.is_applicable(new):
            direction = "worse"
        changes.append(RatingChange(item, old, new, direction))
    return YearComparison(trend, before, after, changes)
