"""A company against a published release: its own rates beside the industry's and its
segment's, its percentile, its focus items, and the change since last year (the PDF report, the
comparison page and the API all use this)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.selectors import EditionStructure
from keiretsu.programme.scoring import Rate, ScoreSummary, percent

from .. import statistics
from ..compute import DIMENSIONS, SEGMENT_FIELDS
from ..models import Release, ReleaseSubmission, Submission, SubmissionScore
from .lookups import dimension_label, previous_release, segment_label
from .release_view import LevelChange, StoredStatistics


@dataclass
class ComparisonRow:
    code: str  # level code or section code
    title: str
    own: Decimal | None  # the company's achievement %, scoring.percent
    industry: Decimal | None  # release mean %, None if suppressed/undefined
    segment: Decimal | None  # mean % of the company's segment, None if suppressed


@dataclass
class FocusItem:
    number: str
    text: str  # short text of the item
    level: str
    priority: bool
    peers_achieved: Decimal  # % of peers in the release that achieved it


@dataclass
class Comparison:
    release_label: str  # e.g. "FY2025 · 一般社団法人 日本自動車工業会"
    segment_label: str
    overall: ComparisonRow
    by_level: list[ComparisonRow]
    by_section: list[ComparisonRow]
    percentile: int | None  # the company's percentile position in the release
    focus_items: list[FocusItem]


def release_for_assessment(assessment: Assessment) -> Release | None:
    """The newest published release of the assessment's edition for its fiscal year, or the
    latest year before it; a body the company submitted this edition to comes first."""
    submitted_to_body = Submission.objects.filter(
        round__body=OuterRef("round__body"), organisation=assessment.organisation_id, edition=assessment.edition_id
    )
    return (
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            edition=assessment.edition_id,
            round__fiscal_year__lte=assessment.fiscal_year,
        )
        .annotate(own_body=Exists(submitted_to_body))
        .select_related("round__body", "edition__guideline")
        .order_by("-round__fiscal_year", "-own_body", "-version", "-published_at")
        .first()
    )


def comparison_for_assessment(assessment) -> Comparison | None:
    """The latest published release for the assessment's edition and fiscal year (or the latest
    before it); None when there is none."""
    release = release_for_assessment(assessment)
    if release is None:
        return None
    return build_comparison(assessment, release).comparison


@dataclass
class SegmentComparison:
    dimension: str
    dimension_label: str
    label: str
    status: str
    n: int | None
    overall: Decimal | None
    by_level: list[Decimal | None]


# The company's own change since last year: a rate then and now, as the industry's (LevelChange).
OwnChange = LevelChange


@dataclass
class ComparisonDetail:
    """What the comparison page shows: the Comparison and what goes around it."""

    comparison: Comparison
    release: Release
    assessment: Assessment
    scores: ScoreSummary
    structure: EditionStructure
    segment_key: str
    segments: list[SegmentComparison]
    previous_assessment: Assessment | None = None
    own_changes: list[OwnChange] = field(default_factory=list)
    previous_release: Release | None = None
    industry_changes: list[LevelChange] = field(default_factory=list)
    focus_share: int = 70


def _own_segment(assessment: Assessment, release: Release) -> dict:
    """The segment the company was counted in (copied at submission), or its current one."""
    counted = (
        Submission.objects.filter(organisation=assessment.organisation_id, releases=release)
        .values(*SEGMENT_FIELDS)
        .first()
    )
    if counted:
        return {name: str(counted[name]) for name in SEGMENT_FIELDS}
    organisation = assessment.organisation
    return {name: str(getattr(organisation, name)) for name in SEGMENT_FIELDS}


def percentile_position(release: Release, rate: Rate) -> int | None:
    """The company's percentile rank (statistics.percentile_rank) among the release's companies."""
    if rate.applicable == 0 or not StoredStatistics.of(release).cell("all", ("overall",)).shown:
        return None
    scores = SubmissionScore.objects.filter(
        submission__in=ReleaseSubmission.objects.filter(release=release).values("submission_id"),
        kind=SubmissionScore.Kind.OVERALL,
        applicable__gt=0,
    ).annotate(lhs=F("achieved") * rate.applicable, rhs=F("applicable") * rate.achieved)
    counts = scores.aggregate(
        n=Count("pk"), below=Count("pk", filter=Q(lhs__lt=F("rhs"))), equal=Count("pk", filter=Q(lhs=F("rhs")))
    )
    rank = statistics.percentile_rank(below=counts["below"], equal=counts["equal"], n=counts["n"])
    if rank is None:
        return None
    return math.floor(rank * 100 + Fraction(1, 2))  # a whole percentile, rounded half up


def build_comparison(assessment: Assessment, release: Release) -> ComparisonDetail:
    data = StoredStatistics.of(release)
    edition = assessment.edition
    scored = assessment_selectors.assessment_scores(assessment)
    structure, answers, scores = scored.structure, scored.answers, scored.scores

    own_segment = _own_segment(assessment, release)
    segments = []
    chosen = None
    for dimension in DIMENSIONS:
        key = data.segment_key(dimension.name, own_segment[dimension.name])
        group = data.group(key)
        segments.append(
            SegmentComparison(
                dimension=dimension.name,
                dimension_label=dimension_label(dimension.name),
                label=segment_label(dimension.name, own_segment[dimension.name]),
                status=group.status,
                n=group.n,
                overall=data.cell(key, ("overall",)).mean,
                by_level=[data.cell(key, ("levels", code)).mean for code in data.levels],
            )
        )
        if chosen is None and group.shown:
            chosen = (key, segments[-1].label)
    segment_key, label = chosen or ("", "")

    def row(code, title, rate, path):
        return ComparisonRow(
            code=code,
            title=title,
            own=percent(rate.achievement) if rate else None,
            industry=data.cell("all", path).mean,
            segment=data.cell(segment_key, path).mean if segment_key else None,
        )

    overall = row("overall", _("Overall"), scores.overall, ("overall",))
    by_level = [
        row(code, edition.level_title(code), scores.by_level.get(code), ("levels", code))
        for code in edition.level_codes
    ]
    by_section = [
        row(section.code, section.display_title, scores.by_section.get(section.code), ("sections", section.code))
        for section in structure.top_sections
    ]

    threshold = Decimal(settings.BENCHMARK_FOCUS_SHARE)
    scale = edition.rating_scale
    levels = list(edition.level_codes)
    focus = []
    for item in structure.items:
        answer = answers.get(item.pk)
        rating = answer.rating if answer else ""
        if not scale.is_applicable(rating) or scale.is_achieved(rating):
            continue
        peers = data.cell("all", ("items", item.number))
        if peers.shown and peers.share is not None and peers.share >= threshold:
            focus.append((item, peers.share))
    focus.sort(
        key=lambda pair: (
            not pair[0].is_priority,
            levels.index(pair[0].level) if pair[0].level in levels else len(levels),
            pair[0].position,
        )
    )
    comparison = Comparison(
        release_label=release.label,
        segment_label=label,
        overall=overall,
        by_level=by_level,
        by_section=by_section,
        percentile=percentile_position(release, scores.overall),
        focus_items=[
            FocusItem(item.number, item.short_text, item.level, item.is_priority, share) for item, share in focus
        ],
    )
    detail = ComparisonDetail(
        comparison=comparison,
        release=release,
        assessment=assessment,
        scores=scores,
        structure=structure,
        segment_key=segment_key,
        segments=segments,
        focus_share=settings.BENCHMARK_FOCUS_SHARE,
    )
    _add_own_change(detail)
    detail.previous_release = previous_release(release)
    if detail.previous_release is not None:
        detail.industry_changes = [
            LevelChange(
                row.code,
                row.title,
                StoredStatistics.of(detail.previous_release).cell("all", ("levels", row.code)).mean,
                row.industry,
            )
            for row in by_level
        ]
    return detail


def _add_own_change(detail: ComparisonDetail):
    """The company's change since last year (assessments.selectors.previous_year_assessment)."""
    assessment = detail.assessment
    previous = assessment_selectors.previous_year_assessment(assessment)
    if previous is None or not previous.score_snapshot:
        return
    before = ScoreSummary.from_dict(previous.score_snapshot)
    detail.previous_assessment = previous
    edition = assessment.edition
    rows = [
        OwnChange(
            "overall", _("Overall"), percent(before.overall.achievement), percent(detail.scores.overall.achievement)
        )
    ]
    for code in edition.level_codes:
        prior = before.by_level.get(code)
        now = detail.scores.by_level.get(code)
        rows.append(
            OwnChange(
                code,
                edition.level_title(code),
                percent(prior.achievement) if prior else None,
                percent(now.achievement) if now else None,
            )
        )
    detail.own_changes = rows
