"""Requests: a customer asks its suppliers and withdraws; a supplier accepts or declines."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, User
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.accounts.services import require_verified_email
from keiretsu.catalogue.models import Edition, EditionAccess
from keiretsu.catalogue.selectors import visible_to
from keiretsu.catalogue.services import edition_grant
from keiretsu.lib import limits
from keiretsu.lib.refusals import NotFound, require_own

from ..models import AssessmentRequest, Supplier, SupplyChainEvent
from .common import (
    check_due_date,
    enqueue,
    inbox_request_locked,
    notify_suppliers,
    request_state,
    require_answerer,
    sent_request_locked,
)
from .errors import Conflict, SupplyChainError
from .tree import SendResult, Skipped, current_requests, detach, send_request


def requests_send(
    *,
    membership: Membership,
    actor: User,
    suppliers: list[Supplier],
    editions: list[Edition],
    fiscal_year: int,
    due_date: datetime.date,
    message: str = "",
    pass_on: bool = True,
    today: datetime.date,
    skip_requested: bool = False,
    language: str = "ja",
) -> SendResult:
    """Ask suppliers for their self-assessment of each edition for one fiscal year.

    A supplier already asked (request open for the same edition and year) is refused, or
    skipped when `skip_requested` (sending to "all suppliers"). A declined request is replaced.
    """
    require_answerer(membership)
    require_verified_email(actor)
    customer = membership.organisation
    if not suppliers:
        raise SupplyChainError(_("Choose at least one supplier."))
    limits.consume(action="request", user=actor)
    if not editions:
        raise SupplyChainError(_("Choose at least one guideline edition."))
    check_due_date(due_date, today)
    visible = set(Edition.objects.filter(visible_to([customer.pk])).values_list("pk", flat=True))
    for edition in editions:
        if edition.pk not in visible:
            raise NotFound(_("This guideline edition is not loaded here."))  # another company's import
    for supplier in suppliers:
        require_own(membership, supplier.customer_id)
        if supplier.organisation_id == customer.pk or supplier.corporate_number == customer.corporate_number:
            raise SupplyChainError(_("You cannot send a request to your own organisation."))
    result = SendResult()
    with transaction.atomic():
        current = current_requests(suppliers, editions, fiscal_year)
        duplicates = [
            (s, e) for s in suppliers for e in editions if (r := current.get((s.pk, e.pk))) is not None and r.is_open
        ]
        if duplicates and not skip_requested:
            raise Conflict(
                _("Already asked for this year (the request is still open): %(list)s")
                % {"list": "; ".join(f"{s.name} · {e}" for s, e in duplicates)},
                problems=[f"{s.name} · {e}" for s, e in duplicates],
            )
        for supplier in suppliers:
            for edition in editions:
                existing = current.get((supplier.pk, edition.pk))
                if existing is not None and existing.is_open:
                    result.skipped.append(Skipped(supplier, edition, _("already asked")))
                    continue
                request = send_request(
                    requester=customer,
                    supplier=supplier,
                    edition=edition,
                    fiscal_year=fiscal_year,
                    due_date=due_date,
                    message=message.strip(),
                    pass_on=pass_on,
                    actor=actor,
                    language=language,
                    replaces=existing,  # None, or a declined request
                )
                result.created.append(request)
        notify_suppliers(result.created, sender=customer, actor=actor)
    return result


def request_withdraw(*, membership: Membership, actor: User, request: AssessmentRequest) -> AssessmentRequest:
    """The customer withdraws a request. It leaves the customer's tree, and so does everything
    passed on below it; the supplier keeps its own requests to its suppliers."""
    require_answerer(membership)
    with transaction.atomic():
        request = sent_request_locked(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("This request has already been withdrawn."))
        before = request_state(request)
        request.status, request.is_current, request.withdrawn_at = (
            AssessmentRequest.Status.WITHDRAWN,
            False,
            timezone.now(),
        )
        request.save(update_fields=["status", "is_current", "withdrawn_at"])
        detach(request)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_WITHDRAWN,
            target=request,
            target_label=f"{request.supplier.name} · {request.edition}",
            before=before,
            after={"status": request.status},
        )
    return request


def request_accept(
    *, membership: Membership, actor: User, request: AssessmentRequest, language: str = "ja"
) -> AssessmentRequest:
    """Accept a request. It is answered by the organisation's own assessment of that edition and
    year (one assessment answers every customer); a company-wide one is started if there is none."""
    require_answerer(membership)
    with transaction.atomic():
        request = inbox_request_locked(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("Your customer has withdrawn this request."))
        if request.status == AssessmentRequest.Status.ACCEPTED:
            return request
        before = request.status
        request.status = AssessmentRequest.Status.ACCEPTED
        request.decline_reason = ""
        request.responded_at, request.responded_by, request.responder_language = timezone.now(), actor, language
        request.save(update_fields=["status", "decline_reason", "responded_at", "responded_by", "responder_language"])
        # An edition the customer imported for itself becomes usable by the supplier it asked.
        edition_grant(edition=request.edition, organisation=membership.organisation, via=EditionAccess.Via.REQUESTED)
        started = _start_company_assessment(membership, actor, request)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_ACCEPTED,
            target=request,
            target_label=f"{request.requester.name} · {request.edition}",
            before={"status": before},
            after={"status": request.status, "assessment_started": started.pk if started else None},
        )
    return request


def _start_company_assessment(membership, actor, request) -> Assessment | None:
    edition = request.edition
    if edition.assessed_per != Edition.AssessedPer.COMPANY:
        return None  # assessed per factory or line: the supplier starts each one
    scope = membership.organisation.company_scope
    if Assessment.objects.filter(scope=scope, edition=edition, fiscal_year=request.fiscal_year).exists():
        return None
    try:
        return assessment_services.assessment_create(
            membership=membership,
            actor=actor,
            scope=scope,
            edition=edition,
            fiscal_year=request.fiscal_year,
            carry_forward=True,
        )
    except assessment_services.AlreadyExists:
        return None


def request_decline(
    *, membership: Membership, actor: User, request: AssessmentRequest, reason: str, language: str = "ja"
):
    require_answerer(membership)
    reason = (reason or "").strip()
    if not reason:
        raise SupplyChainError(_("Give a reason: your customer will read it."))
    with transaction.atomic():
        request = inbox_request_locked(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("Your customer has withdrawn this request."))
        if request.status == AssessmentRequest.Status.DECLINED:
            raise Conflict(_("This request has already been declined."))
        before = request.status
        request.status, request.decline_reason = AssessmentRequest.Status.DECLINED, reason[:2000]
        request.responded_at, request.responded_by, request.responder_language = timezone.now(), actor, language
        request.save(update_fields=["status", "decline_reason", "responded_at", "responded_by", "responder_language"])
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_DECLINED,
            target=request,
            target_label=f"{request.requester.name} · {request.edition}",
            before={"status": before},
            after={"status": request.status, "reason": request.decline_reason},
        )
        from .. import outgoing, tasks

        # The customer sees the decline on its pages; the e-mail only within the limit.
        if outgoing.try_reserve(membership.organisation):
            enqueue(tasks.send_customer_notice, "declined", request.pk)
    return request
