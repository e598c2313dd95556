"""Finding rounds, submissions and releases, scoped to who is asking; segment labels."""

from __future__ import annotations

from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from keiretsu.accounts.models import Membership, Organisation
from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.programme.scoring import ScoreSummary, percent

from ..models import Release, ReleaseSubmission, Round, Submission, SubmissionScore


def open_rounds():
    """Rounds of industry bodies that still accept submissions, for every company to see."""
    return (
        Round.objects.open()
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


def comparable_assessments(membership: Membership):
    """The organisation's company-wide assessments of editions with a published release, newest first."""
    published = Release.objects.filter(status=Release.Status.PUBLISHED).values("edition_id")
    return (
        assessment_selectors.assessments_of(membership)
        .filter(scope__kind="company", edition__in=published)
        .order_by("-fiscal_year", "edition__guideline__slug", "-revision")
    )


def received_submission_detail(submission) -> dict:
    """What the body sees of a submission: the scores and the rating of every item (no reasons or comments)."""
    assessment = submission.assessment
    structure = edition_structure(submission.edition)
    ratings = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "rating"))
    return {
        "scores": ScoreSummary.from_dict(assessment.score_snapshot),
        "structure": structure,
        "edition": submission.edition,
        "rated_items": [(item, item.short_text, ratings.get(item.pk, "")) for item in structure.items],
    }
