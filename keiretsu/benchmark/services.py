"""Writes of the industry benchmark. Each one is one transaction with its audit row(s).

Rules in one place:
- only the instance administrator makes an organisation an industry body (industry_body_set);
- an industry body's owner opens a round per fiscal year, computes and publishes releases;
- a company's owner submits a frozen, company-wide assessment of the round's fiscal year and
  of one of its editions, with consent, on or before the deadline; one counted submission per
  company, round and edition (a new one replaces the earlier one);
- a submission can be withdrawn until a published release counts it;
- a published release never changes; recomputing makes (or refreshes) the one draft.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Organisation, Scope
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition
from keiretsu.lib import refusals
from keiretsu.programme.disclosure import min_group_size
from keiretsu.programme.scoring import ScoreSummary

from .compute import compute_statistics
from .models import BenchmarkEvent, Release, ReleaseSubmission, Round, Submission, SubmissionScore
from .selectors.release_view import StoredStatistics


class BenchmarkError(refusals.Refusal):
    """A refused change in the benchmark (lib.refusals: message, status)."""


# A role that may not act, and another organisation's object: the refusals every app shares.
NotAllowed = refusals.NotAllowed
NotFound = refusals.NotFound


class Conflict(BenchmarkError, refusals.Conflict):
    pass


class ConsentMissing(BenchmarkError, refusals.BadInput):
    pass


# --- Industry bodies (the instance administrator) -------------------------------------------


def industry_body_set(*, actor, organisation: Organisation, is_body: bool) -> bool:
    """Grant or take away industry-body status. Returns whether anything changed."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.is_industry_body == is_body:
            return False
        organisation.is_industry_body = is_body
        organisation.save(update_fields=["is_industry_body"])
        audit.record(
            actor=actor,
            organisation=organisation,
            event=BenchmarkEvent.BODY_MARKED if is_body else BenchmarkEvent.BODY_UNMARKED,
            target=organisation,
            before={"is_industry_body": not is_body},
            after={"is_industry_body": is_body},
        )
    return True


# --- Rounds (the industry body) ------------------------------------------------------------


def _require_body_manager(membership: Membership):
    if not membership.organisation.is_industry_body:
        raise NotAllowed(_("Only an industry body collects submissions and publishes benchmarks."))
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner of the industry body can do this."))


def _require_own_round(membership: Membership, round: Round):
    if round.body_id != membership.organisation_id:
        raise NotFound(_("This round is not one of your organisation's."))


def benchmark_editions():
    """Editions a company can be benchmarked on: those assessed for the whole company, and
    instance-wide (every company that submits must have the edition; one an organisation
    imported for itself is the administrator's to make instance-wide first)."""
    return Edition.objects.filter(assessed_per=Edition.AssessedPer.COMPANY, is_instance_wide=True).select_related(
        "guideline"
    )


def round_open(*, membership: Membership, actor, fiscal_year: int, editions, deadline, note: str = "") -> Round:
    _require_body_manager(membership)
    editions = list(editions)
    if not editions:
        raise BenchmarkError(_("Choose at least one guideline edition."))
    if any(edition.assessed_per != Edition.AssessedPer.COMPANY for edition in editions):
        raise BenchmarkError(_("The benchmark compares companies: choose editions assessed for the whole company."))
    if any(not edition.is_instance_wide for edition in editions):
        raise NotFound(_("This guideline edition is not loaded here."))  # an organisation's own import
    if deadline < timezone.localdate():
        raise BenchmarkError(_("The deadline is in the past."))
    with transaction.atomic():
        if Round.objects.filter(body=membership.organisation, fiscal_year=fiscal_year).exists():
            raise Conflict(_("There is already a round for FY%(year)s.") % {"year": fiscal_year})
        round = Round.objects.create(
            body=membership.organisation,
            fiscal_year=fiscal_year,
            deadline=deadline,
            note=note.strip(),
            created_by=actor,
        )
        round.editions.set(editions)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=BenchmarkEvent.ROUND_OPENED,
            target=round,
            after=_round_state(round, editions),
        )
    return round


def round_update(*, membership: Membership, actor, round: Round, deadline, note: str) -> Round:
    """Change the deadline (extend it, or close the round early) and the note to companies."""
    _require_body_manager(membership)
    _require_own_round(membership, round)
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        editions = list(round.editions.all())
        before = _round_state(round, editions)
        round.deadline, round.note = deadline, note.strip()
        after = _round_state(round, editions)
        if after != before:
            round.save(update_fields=["deadline", "note"])
            audit.record(
                actor=actor,
                organisation=membership.organisation,
                event=BenchmarkEvent.ROUND_UPDATED,
                target=round,
                before=before,
                after=after,
            )
    return round


def _round_state(round, editions):
    return {
        "fiscal_year": round.fiscal_year,
        "editions": [f"{e.guideline.slug} {e.code}" for e in editions],
        "deadline": round.deadline.isoformat(),
        "note": round.note,
    }


# --- Submissions (the company) -------------------------------------------------------------


def consent_statement(*, round: Round, assessment: Assessment, organisation: Organisation) -> str:
    """What the company agrees to, in the current language: what is sent and who sees what."""
    return render_to_string(
        "benchmark/consent.txt",
        {
            "round": round,
            "body": round.body,
            "assessment": assessment,
            "organisation": organisation,
            "k": min_group_size(),
        },
    ).strip()


def check_submittable(*, membership: Membership, round: Round, assessment: Assessment):
    """Refuse, with a message for a person, what cannot be submitted to this round."""
    if not membership.can_submit:
        raise NotAllowed(_("Only an owner can submit to an industry body."))
    if assessment.organisation_id != membership.organisation_id:
        raise NotFound(_("This assessment is not one of your organisation's."))
    if not round.is_open:
        if not round.body.is_industry_body:
            raise Conflict(_("%(body)s no longer collects submissions.") % {"body": round.body.name})
        raise Conflict(
            _("The deadline of %(body)s for FY%(year)s was %(date)s: it no longer accepts submissions.")
            % {"body": round.body.name, "year": round.fiscal_year, "date": date_format(round.deadline)}
        )
    if not assessment.is_frozen or not assessment.score_snapshot:
        raise BenchmarkError(
            _("Only a submitted assessment can be sent: submit the assessment first (this freezes it).")
        )
    if assessment.fiscal_year != round.fiscal_year:
        raise BenchmarkError(
            _("This round collects the assessments of FY%(year)s; this one is of FY%(other)s.")
            % {"year": round.fiscal_year, "other": assessment.fiscal_year}
        )
    if not round.editions.filter(pk=assessment.edition_id).exists():
        raise BenchmarkError(_("%(body)s does not collect this guideline edition.") % {"body": round.body.name})
    if assessment.scope.kind != Scope.Kind.COMPANY:
        raise BenchmarkError(_("The benchmark compares companies: send the company-wide assessment."))
    newer = Assessment.objects.filter(
        scope=assessment.scope_id,
        edition=assessment.edition_id,
        fiscal_year=assessment.fiscal_year,
        status=Assessment.Status.SUBMITTED,
        revision__gt=assessment.revision,
    ).exists()
    if newer:
        raise BenchmarkError(_("A newer revision of this assessment has been submitted: send that one."))


def submission_create(
    *, membership: Membership, actor, round: Round, assessment: Assessment, consent: bool
) -> Submission:
    check_submittable(membership=membership, round=round, assessment=assessment)
    if not consent:
        raise ConsentMissing(_("Tick the box to agree to what is sent and who sees it."))
    organisation = membership.organisation
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)  # one change at a time per round
        earlier = Submission.objects.filter(
            round=round, organisation=organisation, edition=assessment.edition_id, status=Submission.Status.ACTIVE
        ).first()
        if earlier is not None:
            if earlier.assessment_id == assessment.pk:
                raise Conflict(_("This assessment has already been sent to %(body)s.") % {"body": round.body.name})
            if _counted_in_published(earlier):
                raise Conflict(
                    _("Your earlier submission is counted in the published release and can no longer be replaced.")
                )
            _withdraw(earlier, actor, reason="replaced")
        summary = ScoreSummary.from_dict(assessment.score_snapshot)
        submission = Submission.objects.create(
            round=round,
            organisation=organisation,
            assessment=assessment,
            edition=assessment.edition,
            tier=organisation.tier,
            size_band=organisation.size_band,
            business_type=organisation.business_type,
            attained_rank=summary.levels.index(summary.level_attained) + 1 if summary.level_attained else 0,
            consent_text=consent_statement(round=round, assessment=assessment, organisation=organisation),
            submitted_at=timezone.now(),
            submitted_by=actor,
        )
        SubmissionScore.objects.bulk_create(_score_rows(submission, summary))
        after = {
            "body": round.body.name,
            "fiscal_year": round.fiscal_year,
            "edition": f"{assessment.edition.guideline.slug} {assessment.edition.code}",
            "assessment": assessment.pk,
            "revision": assessment.revision,
            "replaces": earlier.pk if earlier else None,
            "segment": {
                "tier": organisation.tier,
                "size_band": organisation.size_band,
                "business_type": organisation.business_type,
            },
        }
        audit.record(
            actor=actor,
            organisation=organisation,
            event=BenchmarkEvent.SUBMITTED,
            target=submission,
            after={**after, "consent": submission.consent_text},
        )
        audit.record(
            actor=actor,
            organisation=round.body,
            event=BenchmarkEvent.SUBMISSION_RECEIVED,
            target=submission,
            after={**after, "company": organisation.name},
        )
    return submission


def _score_rows(submission, summary: ScoreSummary) -> list[SubmissionScore]:
    Kind = SubmissionScore.Kind
    rates = [(Kind.OVERALL, "", summary.overall)]
    rates += [(Kind.LEVEL, code, rate) for code, rate in summary.by_level.items()]
    rates += [(Kind.SECTION, code, rate) for code, rate in summary.by_section.items()]
    if summary.priority.total:
        rates.append((Kind.PRIORITY, "", summary.priority))
    return [
        SubmissionScore(submission=submission, kind=kind, code=code, achieved=rate.achieved, applicable=rate.applicable)
        for kind, code, rate in rates
    ]


def _counted_in_published(submission: Submission) -> bool:
    return ReleaseSubmission.objects.filter(submission=submission, release__status=Release.Status.PUBLISHED).exists()


def submission_withdraw(*, membership: Membership, actor, submission: Submission) -> Submission:
    if not membership.can_submit:
        raise NotAllowed(_("Only an owner can withdraw a submission."))
    if submission.organisation_id != membership.organisation_id:
        raise NotFound(_("This submission is not one of your organisation's."))
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=submission.round_id)
        submission = Submission.objects.select_related("round__body").get(pk=submission.pk)
        if not submission.is_active:
            raise Conflict(_("This submission has already been withdrawn."))
        if _counted_in_published(submission):
            raise Conflict(
                _("%(body)s has published the release that counts this submission: it can no longer be withdrawn.")
                % {"body": submission.round.body.name}
            )
        _withdraw(submission, actor, reason="withdrawn")
    return submission


def _withdraw(submission: Submission, actor, *, reason: str):
    submission.status = Submission.Status.WITHDRAWN
    submission.withdrawn_at = timezone.now()
    submission.withdrawn_by = actor
    submission.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
    state = {"status": Submission.Status.WITHDRAWN, "reason": reason}
    before = {"status": Submission.Status.ACTIVE}
    audit.record(
        actor=actor,
        organisation=submission.organisation,
        event=BenchmarkEvent.WITHDRAWN,
        target=submission,
        before=before,
        after=state,
    )
    audit.record(
        actor=actor,
        organisation=submission.round.body,
        event=BenchmarkEvent.SUBMISSION_CANCELLED,
        target=submission,
        before=before,
        after={**state, "company": submission.organisation.name},
    )


# --- Releases (the industry body) ----------------------------------------------------------


def release_recompute(*, membership: Membership, actor, round: Round, edition: Edition) -> Release:
    """Compute the statistics of the round's active submissions into its draft release.

    Refreshes the existing draft, or starts a new one after the last published version:
    a published release never changes.
    """
    _require_body_manager(membership)
    _require_own_round(membership, round)
    if not round.editions.filter(pk=edition.pk).exists():
        raise BenchmarkError(_("This round does not collect this guideline edition."))
    k = min_group_size()
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)  # no submission changes while computing
        statistics = compute_statistics(round=round, edition=edition, k=k)
        companies = StoredStatistics(statistics).companies
        now = timezone.now()
        draft = Release.objects.filter(round=round, edition=edition, status=Release.Status.DRAFT).first()
        if draft is None:
            last = Release.objects.filter(round=round, edition=edition).aggregate(v=Max("version"))["v"] or 0
            draft = Release.objects.create(
                round=round,
                edition=edition,
                version=last + 1,
                min_group_size=k,
                statistics=statistics,
                companies=companies,
                computed_at=now,
                computed_by=actor,
            )
        else:
            draft.min_group_size, draft.statistics, draft.companies = k, statistics, companies
            draft.computed_at, draft.computed_by = now, actor
            draft.save(update_fields=["min_group_size", "statistics", "companies", "computed_at", "computed_by"])
            ReleaseSubmission.objects.filter(release=draft).delete()
        counted = _record_counted_submissions(draft, round, edition)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=BenchmarkEvent.RELEASE_COMPUTED,
            target=draft,
            target_label=str(draft),
            after={"version": draft.version, "submissions": counted, "k": k},
        )
    return draft


def _record_counted_submissions(release: Release, round: Round, edition: Edition) -> int:
    """INSERT ... SELECT: the ids never travel through Python, whatever their number."""
    link = ReleaseSubmission._meta.db_table
    submission = Submission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {link} (release_id, submission_id) "  # noqa: S608 (table names from the models)
            f"SELECT %s, id FROM {submission} WHERE round_id = %s AND edition_id = %s AND status = %s",
            [release.pk, round.pk, edition.pk, Submission.Status.ACTIVE],
        )
        return cursor.rowcount


def release_is_stale(release: Release) -> bool:
    """Has a submission been made or withdrawn since the draft was computed?"""
    active = Submission.objects.filter(
        round=release.round_id, edition=release.edition_id, status=Submission.Status.ACTIVE
    )
    counted = ReleaseSubmission.objects.filter(release=release)
    if counted.exclude(submission__in=active.values("pk")).exists():
        return True
    return active.exclude(pk__in=counted.values("submission_id")).exists()


def release_publish(*, membership: Membership, actor, release: Release) -> Release:
    _require_body_manager(membership)
    _require_own_round(membership, release.round)
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=release.round_id)
        release = Release.objects.select_related("round__body", "edition__guideline").get(pk=release.pk)
        if release.is_published:
            raise Conflict(_("This release has already been published."))
        if release.min_group_size < min_group_size():
            raise Conflict(
                _(
                    "This draft was computed with a minimum group of %(old)s; the instance now requires %(new)s. "
                    "Recompute it first."
                )
                % {"old": release.min_group_size, "new": min_group_size()}
            )
        if release_is_stale(release):
            raise Conflict(_("Submissions have changed since this draft was computed. Recompute it first."))
        if not StoredStatistics.of(release).publishable:
            raise Conflict(
                _("Fewer than %(k)s companies have submitted: there is nothing that can be published.")
                % {"k": release.min_group_size}
            )
        release.status = Release.Status.PUBLISHED
        release.published_at = timezone.now()
        release.published_by = actor
        release.save(update_fields=["status", "published_at", "published_by"])
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=BenchmarkEvent.RELEASE_PUBLISHED,
            target=release,
            target_label=str(release),
            before={"status": Release.Status.DRAFT},
            after={
                "status": Release.Status.PUBLISHED,
                "version": release.version,
                "submissions": StoredStatistics.of(release).companies,
            },
        )
    return release


def release_discard(*, membership: Membership, actor, release: Release):
    _require_body_manager(membership)
    _require_own_round(membership, release.round)
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.is_published:
            raise Conflict(_("A published release cannot be discarded."))
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=BenchmarkEvent.RELEASE_DISCARDED,
            target=release,
            target_label=str(release),
            before={"version": release.version},
        )
        release.delete()
