"""Sharing a submitted (frozen) assessment with customers in the request's chain, and
withdrawing that consent."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Organisation, User
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import EditionAccess
from keiretsu.catalogue.services import edition_grant
from keiretsu.lib.refusals import NotAllowed, NotFound, require_own
from keiretsu.programme.scoring import ScoreSummary, percent

from ..models import AssessmentRequest, Share, SupplyChainEvent
from .common import enqueue, inbox_request_locked, require_submitter
from .errors import Conflict, SupplyChainError


def snapshot_figures(snapshot: dict) -> dict:
    """What the tree and the weakest links need from a frozen ScoreSummary."""
    scores = ScoreSummary.from_dict(snapshot)
    first = scores.levels[0] if scores.levels else None
    first_rate = scores.by_level.get(first) if first else None
    first_missing = (first_rate.applicable - first_rate.achieved) if first_rate else 0
    priority_missing = scores.priority.applicable - scores.priority.achieved
    weak = (first is not None and scores.level_attained is None) or priority_missing > 0
    return {
        "overall_rate": percent(scores.overall.achievement),
        "overall_achieved": scores.overall.achieved,
        "overall_applicable": scores.overall.applicable,
        "level_attained": scores.level_attained or "",
        "has_levels": first is not None,
        "first_level_missing": first_missing,
        "priority_missing": priority_missing,
        "weak": weak,
        "gap": max(first_missing, priority_missing) if weak else 0,
    }


def _share_state(share: Share) -> dict:
    return {
        "recipient": share.recipient.name,
        "assessment": share.assessment_id,
        "scope": share.scope.display_name,
        "edition": f"{share.edition.guideline.slug} {share.edition.code}",
        "fiscal_year": share.fiscal_year,
        "revision": share.assessment.revision,
        "detail": share.detail,
    }


def share_create(
    *,
    membership: Membership,
    actor: User,
    request: AssessmentRequest,
    assessment: Assessment,
    detail: str,
    recipients: list[Organisation],
) -> list[Share]:
    """Share a submitted (frozen) assessment with customers in the request's chain.

    Sharing another revision or another detail with a customer replaces the current share;
    sharing the same again changes nothing.
    """
    from .. import outgoing, selectors, tasks

    require_submitter(membership)
    me = membership.organisation
    if detail not in Share.Detail.values:
        raise SupplyChainError(_("Choose how much to share: the summary or every answer."))
    require_own(membership, assessment.organisation_id)
    if not assessment.is_frozen or not assessment.score_snapshot:
        raise Conflict(_("Submit the assessment first: only a submitted assessment can be shared."))
    if assessment.edition_id != request.edition_id or assessment.fiscal_year != request.fiscal_year:
        raise SupplyChainError(_("This assessment is not for the edition and year that was asked for."))
    if not recipients:
        raise SupplyChainError(_("Choose at least one customer to share with."))
    with transaction.atomic():
        request = inbox_request_locked(membership, request)
        if not request.is_current or request.status != AssessmentRequest.Status.ACCEPTED:
            raise Conflict(_("Accept the request before sharing your result."))
        allowed = {org.pk: org for org in selectors.share_recipients(request)}
        if any(r.pk not in allowed for r in recipients):
            raise NotAllowed(_("You can share only with the customers in this request's chain."))
        latest = (
            Assessment.objects.filter(
                scope=assessment.scope_id, edition=assessment.edition_id, fiscal_year=assessment.fiscal_year
            )
            .order_by("-revision")
            .values_list("pk", "status")
            .first()
        )
        if latest[0] != assessment.pk and latest[1] == Assessment.Status.SUBMITTED:
            raise Conflict(_("A newer submitted revision exists: share that one."))
        figures = snapshot_figures(assessment.score_snapshot)
        now = timezone.now()
        created = []
        for recipient in recipients:
            current = (
                Share.objects.select_for_update()
                .filter(
                    organisation=me,
                    recipient=recipient,
                    scope=assessment.scope_id,
                    edition=assessment.edition_id,
                    fiscal_year=assessment.fiscal_year,
                    ended_at=None,
                )
                .first()
            )
            if current is not None and current.assessment_id == assessment.pk and current.detail == detail:
                continue
            if current is not None:
                current.ended_at, current.ended_by, current.ended = now, actor, Share.Ended.SUPERSEDED
                current.save(update_fields=["ended_at", "ended_by", "ended"])
            share = Share.objects.create(
                organisation=me,
                recipient=recipient,
                assessment=assessment,
                scope=assessment.scope,
                edition=assessment.edition,
                fiscal_year=assessment.fiscal_year,
                request=request,
                detail=detail,
                shared_at=now,
                shared_by=actor,
                **figures,
            )
            # An edition the supplier imported for itself becomes readable by this customer.
            edition_grant(edition=assessment.edition, organisation=recipient, via=EditionAccess.Via.SHARED)
            state = _share_state(share)
            # The sharer's log keeps exactly what was shown, and when.
            audit.record(
                actor=actor,
                organisation=me,
                event=SupplyChainEvent.RESULT_SHARED,
                target=share,
                target_label=f"{recipient.name} · {assessment}",
                before=_share_state(current) if current else None,
                after={**state, "scores": assessment.score_snapshot},
            )
            # The recipient's log says that it was shared (never the scores themselves).
            audit.record(
                actor=actor,
                organisation=recipient,
                event=SupplyChainEvent.RESULT_SHARED,
                target=share,
                target_label=f"{me.name} · {assessment.edition} · FY{assessment.fiscal_year}",
                after={"supplier": me.name, **{k: v for k, v in state.items() if k != "recipient"}},
            )
            # The customer sees the share on its pages; the e-mail only within the limit.
            if outgoing.try_reserve(me):
                enqueue(tasks.send_customer_notice, "shared", share.pk)
            created.append(share)
    return created


def share_withdraw(*, membership: Membership, actor: User, share: Share) -> Share:
    """Withdraw consent: from now on the customer sees only that it was withdrawn, and when."""
    require_submitter(membership)
    with transaction.atomic():
        share = (
            Share.objects.select_for_update()
            .select_related("recipient", "scope", "edition__guideline", "assessment")
            .filter(pk=share.pk, organisation=membership.organisation_id)
            .first()
        )
        if share is None:
            raise NotFound(_("This share is not one of your organisation's."))
        if not share.is_active:
            raise Conflict(_("This result is no longer shared."))
        share.ended_at, share.ended_by, share.ended = timezone.now(), actor, Share.Ended.WITHDRAWN
        share.save(update_fields=["ended_at", "ended_by", "ended"])
        state = _share_state(share)
        for organisation, label in (
            (membership.organisation, share.recipient.name),
            (share.recipient, membership.organisation.name),
        ):
            audit.record(
                actor=actor,
                organisation=organisation,
                event=SupplyChainEvent.SHARE_WITHDRAWN,
                target=share,
                target_label=f"{label} · {share.edition} · FY{share.fiscal_year}",
                before={**state, "shared_at": share.shared_at.isoformat()},
                after={"withdrawn_at": share.ended_at.isoformat()},
            )
    return share
