"""Reads of the industry benchmark, scoped to who is asking.

Who sees what:
- a company (any member) sees the open rounds of the industry bodies, its own submissions,
  every *published* release, and its own results against a release;
- an industry body's members also see its rounds, the submissions it received (one by one:
  that is what the companies consented to) and its draft releases;
- nobody else sees a submission, and no one outside the body sees a draft.
Figures of a release come only from its stored statistics, where suppressed cells carry none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keiretsu.accounts.models import Membership, Organisation
from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.assessments.scoring import Rate, ScoreSummary, percent
from keiretsu.catalogue.models import Item
from keiretsu.catalogue.selectors import EditionStructure, edition_structure

from . import statistics
from .compute import DIMENSIONS, SEGMENT_FIELDS
from .models import Release, ReleaseSubmission, Round, Submission, SubmissionScore

# --- Rounds and submissions ------------------------------------------------------------------


def open_rounds():
    """Rounds of industry bodies that still accept submissions, for every company to see."""
    return (
        Round.objects.filter(body__is_industry_body=True, deadline__gte=timezone.localdate())
        .select_related("body")
        .prefetch_related("editions__guideline")
        .order_by("deadline", "body__name")
    )


def round_for_company(membership: Membership, round_id) -> Round:
    """A round a company may submit to: any industry body's round (404 otherwise)."""
    try:
        return (
            Round.objects.select_related("body")
            .prefetch_related("editions__guideline")
            .get(pk=round_id, body__is_industry_body=True)
        )
    except Round.DoesNotExist:
        raise Http404 from None


def rounds_of_body(membership: Membership):
    return (
        Round.objects.filter(body=membership.organisation_id)
        .select_related("body")
        .prefetch_related("editions__guideline")
        .annotate(active=Count("submissions", filter=Q(submissions__status=Submission.Status.ACTIVE)))
        .order_by("-fiscal_year")
    )


def round_for_body(membership: Membership, round_id) -> Round:
    """One of the member's industry body's rounds; 404 for anyone else."""
    try:
        return rounds_of_body(membership).get(pk=round_id)
    except Round.DoesNotExist:
        raise Http404 from None


def submissions_of(membership: Membership):
    """The organisation's own submissions to industry bodies."""
    return (
        Submission.objects.filter(organisation=membership.organisation_id)
        .select_related("round__body", "edition__guideline", "assessment")
        .annotate(
            counted_in_published=Exists(
                ReleaseSubmission.objects.filter(submission=OuterRef("pk"), release__status=Release.Status.PUBLISHED)
            )
        )
    )


def submission_for(membership: Membership, submission_id) -> Submission:
    try:
        return submissions_of(membership).get(pk=submission_id)
    except Submission.DoesNotExist:
        raise Http404 from None


def received_submissions(membership: Membership, round: Round):
    """The submissions an industry body received in one of its rounds."""
    if round.body_id != membership.organisation_id:
        raise Http404
    overall = SubmissionScore.objects.filter(submission=OuterRef("pk"), kind=SubmissionScore.Kind.OVERALL)
    return (
        Submission.objects.filter(round=round)
        .select_related("organisation", "edition__guideline", "assessment")
        .annotate(
            overall_achieved=overall.values("achieved")[:1],
            overall_applicable=overall.values("applicable")[:1],
        )
        .order_by("status", "organisation__name")
    )


def received_page(membership: Membership, round: Round, query) -> dict:
    """One page of the submissions a body received, optionally filtered by company name or number."""
    from django.core.paginator import Paginator

    submissions = received_submissions(membership, round)
    text = (query.get("q") or "").strip()[:100]
    if text:
        submissions = submissions.filter(Q(organisation__name__icontains=text) | Q(organisation__corporate_number=text))
    status = query.get("status", "")
    if status in Submission.Status.values:
        submissions = submissions.filter(status=status)
    page = Paginator(submissions, 50).get_page(query.get("page"))
    counts = Submission.objects.filter(round=round).values("edition_id", "status").annotate(n=Count("pk")).order_by()
    return {
        "page": page,
        "submissions": with_overall_percent(page.object_list),
        "q": text,
        "status": status,
        "counts": {(c["edition_id"], c["status"]): c["n"] for c in counts},
    }


def with_overall_percent(submissions) -> list[Submission]:
    """Each submission's overall achievement rate as scoring.percent shows it."""
    submissions = list(submissions)
    for submission in submissions:
        applicable = submission.overall_applicable if submission.is_active else 0  # withdrawn: consent withdrawn
        submission.overall_percent = percent(Fraction(submission.overall_achieved, applicable)) if applicable else None
    return submissions


def received_submission_for(membership: Membership, round: Round, submission_id) -> Submission:
    try:
        return received_submissions(membership, round).get(pk=submission_id)
    except Submission.DoesNotExist:
        raise Http404 from None


def eligible_assessments(membership: Membership, round: Round):
    """The organisation's submitted, company-wide assessments of the round's year and editions."""
    return (
        assessment_selectors.assessments_of(membership)
        .filter(
            fiscal_year=round.fiscal_year,
            status=Assessment.Status.SUBMITTED,
            scope__kind="company",
            edition__in=round.editions.all(),
        )
        .order_by("edition__guideline__slug", "-revision")
    )


def segment_label(dimension: str, value) -> str:
    """ "Tier 2", "Small business (up to 20 employees)", ... for a segment of a release."""
    choices = {str(key): label for key, label in Organisation._meta.get_field(dimension).choices}
    return str(choices.get(str(value), value))


DIMENSION_LABELS = {
    "tier": gettext_lazy("Tier in the supply chain"),
    "size_band": gettext_lazy("Company size"),
    "business_type": gettext_lazy("Business type"),
}


def dimension_label(dimension: str) -> str:
    return str(DIMENSION_LABELS.get(dimension, dimension))


# --- Releases ----------------------------------------------------------------------------------


def published_releases():
    return (
        Release.objects.filter(status=Release.Status.PUBLISHED)
        .select_related("round__body", "edition__guideline")
        .defer("statistics")
        .order_by("-round__fiscal_year", "round__body__name", "edition__guideline__slug", "-version")
    )


def current_releases():
    """The newest published version of each round and edition."""
    newer = Release.objects.filter(
        round=OuterRef("round"),
        edition=OuterRef("edition"),
        status=Release.Status.PUBLISHED,
        version__gt=OuterRef("version"),
    )
    return published_releases().filter(~Exists(newer))


def releases_of_round(round: Round):
    return (
        Release.objects.filter(round=round)
        .select_related("edition__guideline")
        .defer("statistics")
        .order_by("edition_id", "-version")
    )


def release_for(membership: Membership, release_id) -> Release:
    """A published release (for anyone signed in), or a draft for its industry body's members."""
    try:
        release = Release.objects.select_related("round__body", "edition__guideline").get(pk=release_id)
    except Release.DoesNotExist:
        raise Http404 from None
    if not release.is_published and release.round.body_id != membership.organisation_id:
        raise Http404
    return release


def published_release(release_id) -> Release:
    try:
        return published_releases().defer(None).get(pk=release_id)
    except Release.DoesNotExist:
        raise Http404 from None


def previous_release(release: Release) -> Release | None:
    """Last fiscal year's newest published release of the same body and guideline."""
    return (
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            round__body=release.round.body_id,
            round__fiscal_year=release.round.fiscal_year - 1,
            edition__guideline=release.edition.guideline_id,
        )
        .select_related("round__body", "edition__guideline")
        .order_by("-version")
        .first()
    )


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass
class Figure:
    """One cell of a release: its status and, when shown, its figures."""

    status: str
    n: int | None = None
    mean: Decimal | None = None
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None
    share: Decimal | None = None

    @classmethod
    def of(cls, cell: dict | None) -> Figure:
        if not cell:
            return cls("empty")
        return cls(
            status=cell["status"],
            n=cell.get("n"),
            mean=_decimal(cell.get("mean")),
            q1=_decimal(cell.get("q1")),
            median=_decimal(cell.get("median")),
            q3=_decimal(cell.get("q3")),
            share=_decimal(cell.get("share")),
        )

    @property
    def shown(self) -> bool:
        return self.status == "published"


def group_cell(statistics_: dict, group: str, path: tuple[str, ...]) -> Figure:
    """The cell at `path` ("overall"; "levels", "Lv1"; "items", "12" ...) of a group."""
    entry = statistics_["groups"].get(group)
    if not entry or entry["status"] != "published":
        return Figure(entry["status"] if entry else "empty")
    cell = entry
    for key in path:
        cell = (cell or {}).get(key)
    return Figure.of(cell)


@dataclass
class GroupColumn:
    key: str
    dimension: str
    value: str
    label: str
    status: str
    n: int | None


@dataclass
class StatRow:
    code: str
    title: str
    figure: Figure
    attained: Figure | None = None
    depth: int = 0


@dataclass
class SegmentTable:
    dimension: str
    label: str
    groups: list[GroupColumn]
    rows: list[tuple[GroupColumn, Figure, list[Figure], list[Figure]]]  # group, overall, per level, attained


@dataclass
class ItemRow:
    item: Item
    text: str
    figure: Figure


@dataclass
class LevelChange:
    code: str
    title: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


@dataclass
class ReleaseView:
    release: Release
    structure: EditionStructure
    total: Figure
    overall: Figure
    levels: list[StatRow]
    sections: list[StatRow]
    priority: Figure | None
    segments: list[SegmentTable]
    items: list[ItemRow]
    previous: Release | None = None
    changes: list[LevelChange] = field(default_factory=list)
    suppressed_groups: int = 0

    @property
    def segment_colspan(self) -> int:
        return 2 + 2 * len(self.levels)


def release_view(release: Release) -> ReleaseView:
    """Everything the release page shows, from the stored statistics and the catalogue."""
    data = release.statistics
    structure = edition_structure(release.edition)
    edition = release.edition
    levels = [
        StatRow(
            code,
            edition.level_title(code),
            group_cell(data, "all", ("levels", code)),
            group_cell(data, "all", ("attained", code)),
        )
        for code in data["levels"]
    ]
    sections = [
        StatRow(
            section.code,
            section.display_title,
            group_cell(data, "all", ("sections", section.code)),
            depth=section.depth,
        )
        for section in structure.sections
    ]
    segments = []
    suppressed = 0
    for dimension in data["dimensions"]:
        columns = []
        rows = []
        for value in dimension["values"]:
            key = f"{dimension['name']}:{value}"
            entry = data["groups"][key]
            column = GroupColumn(
                key, dimension["name"], value, segment_label(dimension["name"], value), entry["status"], entry.get("n")
            )
            if entry["status"] in ("below_k", "complementary"):
                suppressed += 1
            columns.append(column)
            rows.append(
                (
                    column,
                    group_cell(data, key, ("overall",)),
                    [group_cell(data, key, ("levels", code)) for code in data["levels"]],
                    [group_cell(data, key, ("attained", code)) for code in data["levels"]],
                )
            )
        segments.append(SegmentTable(dimension["name"], dimension_label(dimension["name"]), columns, rows))
    items = [
        ItemRow(item, short_text(item), group_cell(data, "all", ("items", item.number))) for item in structure.items
    ]
    all_entry = data["groups"]["all"]
    view = ReleaseView(
        release=release,
        structure=structure,
        total=Figure(all_entry["status"], all_entry.get("n")),
        overall=group_cell(data, "all", ("overall",)),
        levels=levels,
        sections=sections,
        priority=group_cell(data, "all", ("priority",)) if "priority" in all_entry else None,
        segments=segments,
        items=items,
        suppressed_groups=suppressed,
    )
    view.previous = previous_release(release)
    if view.previous is not None:
        view.changes = [
            LevelChange(
                row.code,
                row.title,
                group_cell(view.previous.statistics, "all", ("levels", row.code)).mean,
                row.figure.mean,
            )
            for row in levels
        ]
    return view


def short_text(item: Item) -> str:
    text = item.title or item.condition or item.criteria or item.requirement
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line[:120]


# --- A company against a release (INTERFACE used by the PDF report, issue 5) --------------------


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


@dataclass
class OwnChange:
    code: str
    title: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


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
    if rate.applicable == 0 or release.statistics["groups"]["all"].get("overall", {}).get("status") != "published":
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
    data = release.statistics
    edition = assessment.edition
    structure = edition_structure(edition)
    answers = {a.item_id: a for a in Answer.objects.filter(assessment=assessment)}
    scores = assessment_selectors.scores_of(assessment, structure, answers)

    own_segment = _own_segment(assessment, release)
    segments = []
    chosen = None
    for dimension in DIMENSIONS:
        key = f"{dimension.name}:{own_segment[dimension.name]}"
        entry = data["groups"].get(key, {"status": "empty"})
        segments.append(
            SegmentComparison(
                dimension=dimension.name,
                dimension_label=dimension_label(dimension.name),
                label=segment_label(dimension.name, own_segment[dimension.name]),
                status=entry["status"],
                n=entry.get("n"),
                overall=group_cell(data, key, ("overall",)).mean,
                by_level=[group_cell(data, key, ("levels", code)).mean for code in data["levels"]],
            )
        )
        if chosen is None and entry["status"] == "published":
            chosen = (key, segments[-1].label)
    segment_key, label = chosen or ("", "")

    def row(code, title, rate, path):
        return ComparisonRow(
            code=code,
            title=title,
            own=percent(rate.achievement) if rate else None,
            industry=group_cell(data, "all", path).mean,
            segment=group_cell(data, segment_key, path).mean if segment_key else None,
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
        if rating in scale.not_applicable or rating in scale.achieved:
            continue
        peers = group_cell(data, "all", ("items", item.number))
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
            FocusItem(item.number, short_text(item), item.level, item.is_priority, share) for item, share in focus
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
                group_cell(detail.previous_release.statistics, "all", ("levels", row.code)).mean,
                row.industry,
            )
            for row in by_level
        ]
    return detail


def _add_own_change(detail: ComparisonDetail):
    """The company's change since its previous year's submitted assessment of the same guideline."""
    assessment = detail.assessment
    previous = (
        Assessment.objects.filter(
            organisation=assessment.organisation_id,
            scope=assessment.scope_id,
            edition__guideline=assessment.edition.guideline_id,
            fiscal_year=assessment.fiscal_year - 1,
            status=Assessment.Status.SUBMITTED,
        )
        .select_related("edition")
        .order_by("-revision")
        .first()
    )
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


def comparable_assessments(membership: Membership):
    """The organisation's company-wide assessments of editions with a published release, newest first."""
    published = Release.objects.filter(status=Release.Status.PUBLISHED).values("edition_id")
    return (
        assessment_selectors.assessments_of(membership)
        .filter(scope__kind="company", edition__in=published)
        .order_by("-fiscal_year", "edition__guideline__slug", "-revision")
    )
