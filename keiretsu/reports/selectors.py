"""What the management report says about one assessment, read in a constant number of queries.

Page one: where the company stands (level attained, rates per level, a chart per label), what
to do next (the focus items), the change since last year, and the industry comparison when
the benchmark has published a release. Then the details per label. Every rate is
scoring.percent() of the same ScoreSummary the web page shows (assessments.selectors.scores_of).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.models import Item, Section
from keiretsu.catalogue.selectors import EditionStructure
from keiretsu.improvement import selectors as improvement_selectors
from keiretsu.programme.scoring import Rate, ScoreSummary

FOCUS_COUNT = 7  # what fits on page one beside the comparison


@dataclass
class LevelLine:
    code: str
    title: str
    rate: Rate
    attained: bool
    previous: Decimal | None = None
    delta: Decimal | None = None
    industry: Decimal | None = None
    segment: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        return self.rate.achievement_percent


@dataclass
class SectionLine:
    section: Section
    rate: Rate
    previous: Decimal | None = None
    delta: Decimal | None = None
    industry: Decimal | None = None
    segment: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        return self.rate.achievement_percent


@dataclass
class FocusLine:
    number: str
    text: str
    level: str
    priority: bool
    rating: str = ""
    peers_achieved: Decimal | None = None


@dataclass
class ItemChange:
    item: Item
    before: str
    after: str


@dataclass
class YearChange:
    previous: Assessment
    scores: ScoreSummary
    overall_previous: Decimal | None
    overall_delta: Decimal | None
    improved: list[ItemChange] = field(default_factory=list)
    worsened: list[ItemChange] = field(default_factory=list)


@dataclass
class DetailRow:
    item: Item
    answer: Answer | None
    previous_rating: str = ""

    @property
    def rating(self) -> str:
        return self.answer.rating if self.answer else ""


@dataclass
class DetailGroup:
    section: Section
    parent: Section | None
    rate: Rate
    rows: list[DetailRow] = field(default_factory=list)


@dataclass
class ManagementReport:
    assessment: Assessment
    structure: EditionStructure
    scores: ScoreSummary
    levels: list[LevelLine]
    sections: list[SectionLine]
    focus: list[FocusLine]
    focus_from_benchmark: bool
    change: YearChange | None
    comparison: object | None  # keiretsu.benchmark's Comparison, when a release exists
    details: list[DetailGroup]
    generated_at: datetime.datetime
    target: object | None = None  # improvement.selectors.EffectiveTarget (editions with levels)
    gap: object | None = None  # scoring.Gap to that target
    trend: object | None = None  # reports.trend.Trend of the scope and edition (submitted years)
    plan: object | None = None  # reports.plan.ReportPlan: the open actions of the scope and edition

    @property
    def edition(self):
        return self.assessment.edition

    @property
    def next_level(self) -> LevelLine | None:
        """The first level not attained: the target to name on page one."""
        return next((line for line in self.levels if not line.attained), None)

    @property
    def open_for_next_level(self) -> int:
        """Applicable items not yet achieved at the next level and below (what stands in the way)."""
        target = self.next_level
        if target is None:
            return 0
        count = 0
        for line in self.levels:
            count += line.rate.applicable - line.rate.achieved
            if line is target:
                break
        return count

    @property
    def open_items(self) -> int:
        return self.scores.overall.applicable - self.scores.overall.achieved


def industry_comparison(assessment: Assessment):
    """The benchmark's comparison for this assessment, or None (no benchmark app, no release)."""
    try:
        from keiretsu.benchmark.selectors import comparison_for_assessment
    except ImportError:
        return None
    return comparison_for_assessment(assessment)


def _delta(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    # The difference of the two percentages as printed, so the page adds up.
    if now is None or before is None:
        return None
    return now - before


def management_report(assessment: Assessment) -> ManagementReport:
    scored = assessment_selectors.assessment_scores(assessment)
    structure, answers, scores = scored.structure, scored.answers, scored.scores
    edition = assessment.edition
    scale = edition.rating_scale
    comparison = industry_comparison(assessment)

    change = None
    previous = assessment_selectors.previous_year_assessment(assessment)
    previous_ratings: dict[int, str] = {}
    previous_scores = None
    if previous is not None:
        previous_ratings = dict(Answer.objects.filter(assessment=previous).values_list("item_id", "rating"))
        previous_scores = (
            ScoreSummary.from_dict(previous.score_snapshot)
            if previous.score_snapshot
            else assessment_selectors.compute_scores(structure, {
                item_id: Answer(item_id=item_id, rating=rating) for item_id, rating in previous_ratings.items()
            })
        )

    by_level = {row.code: row for row in (comparison.by_level if comparison else [])}
    levels = []
    for code in edition.level_codes:
        rate = scores.by_level.get(code, Rate())
        line = LevelLine(code, edition.level_title(code), rate, scores.is_attained(code))
        if previous_scores is not None:
            line.previous = previous_scores.by_level.get(code, Rate()).achievement_percent
            line.delta = _delta(line.percent, line.previous)
        if code in by_level:
            line.industry, line.segment = by_level[code].industry, by_level[code].segment
        levels.append(line)

    by_section = {row.code: row for row in (comparison.by_section if comparison else [])}
    sections = []
    for section in structure.top_sections:
        line = SectionLine(section, scores.by_section.get(section.code, Rate()))
        if previous_scores is not None:
            line.previous = previous_scores.by_section.get(section.code, Rate()).achievement_percent
            line.delta = _delta(line.percent, line.previous)
        if section.code in by_section:
            line.industry, line.segment = by_section[section.code].industry, by_section[section.code].segment
        sections.append(line)

    achieved, applicable = scale.is_achieved, scale.is_applicable

    def rating_of(item):
        return answers[item.pk].rating if item and item.pk in answers else ""

    if previous is not None:
        change = YearChange(
            previous=previous,
            scores=previous_scores,
            overall_previous=previous_scores.overall.achievement_percent,
            overall_delta=_delta(scores.overall.achievement_percent, previous_scores.overall.achievement_percent),
        )
        for item in structure.items:
            before = previous_ratings.get(item.pk, "")
            after = rating_of(item)
            if achieved(after) and not achieved(before):
                change.improved.append(ItemChange(item, before, after))
            elif achieved(before) and not achieved(after) and applicable(after):
                change.worsened.append(ItemChange(item, before, after))

    if comparison is not None and comparison.focus_items:
        item_by_number = {item.number: item for item in structure.items}
        focus = [
            FocusLine(f.number, f.text, f.level, f.priority, rating_of(item_by_number.get(f.number)), f.peers_achieved)
            for f in comparison.focus_items[:FOCUS_COUNT]
        ]
        focus_from_benchmark = True
    else:
        # No industry figures: the items not achieved, priority items first, then by level.
        level_order = {code: index for index, code in enumerate(edition.level_codes)}
        open_items = [item for item in structure.items if applicable(rating_of(item)) and not achieved(rating_of(item))]
        open_items.sort(key=lambda item: (not item.is_priority, level_order.get(item.level, len(level_order)), item.position))
        focus = [
            FocusLine(item.number, item.headline_words, item.level, item.is_priority, rating_of(item))
            for item in open_items[:FOCUS_COUNT]
        ]
        focus_from_benchmark = False

    section_by_pk = {s.pk: s for s in structure.sections}
    groups: dict[int, DetailGroup] = {}
    for item in structure.items:
        section = section_by_pk[item.section_id]
        group = groups.get(section.pk)
        if group is None:
            group = groups[section.pk] = DetailGroup(
                section, section_by_pk.get(section.parent_id), scores.by_section.get(section.code, Rate())
            )
        group.rows.append(DetailRow(item, answers.get(item.pk), previous_ratings.get(item.pk, "")))

    target = improvement_selectors.organisation_targets(assessment.organisation, [edition]).get(edition.pk)
    from .plan import report_plan
    from .trend import trend_of

    return ManagementReport(
        trend=trend_of(assessment),
        plan=report_plan(assessment),
        target=target,
        gap=improvement_selectors.gap_of(scored, target),
        assessment=assessment,
        structure=structure,
        scores=scores,
        levels=levels,
        sections=sections,
        focus=focus,
        focus_from_benchmark=focus_from_benchmark,
        change=change,
        comparison=comparison,
        details=list(groups.values()),
        generated_at=timezone.now(),
    )


