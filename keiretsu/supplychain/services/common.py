"""What several supply-chain services share: role checks, locked lookups, request details,
and e-mail sent after commit."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from keiretsu.accounts.models import Membership
from keiretsu.lib.refusals import NotAllowed, NotFound

from ..models import AssessmentRequest
from .errors import SupplyChainError


def require_answerer(membership: Membership):
    if not membership.can_answer:
        raise NotAllowed(_("Viewers can look but not change anything here."))


def require_submitter(membership: Membership):
    """Sharing a submitted result is the submitting role's (Membership.can_submit: owners)."""
    if not membership.can_submit:
        raise NotAllowed(_("Only an owner of the organisation can share or withdraw results."))


def enqueue(task, *args):
    """Enqueue a background task once the current transaction has committed."""
    transaction.on_commit(lambda: task.enqueue(*args))


def sent_request_locked(membership: Membership, request: AssessmentRequest) -> AssessmentRequest:
    """The request, locked, if the member's organisation sent it."""
    locked = (
        AssessmentRequest.objects.select_for_update()
        .select_related("supplier", "edition__guideline")
        .filter(pk=request.pk, requester=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise NotFound(_("This request is not one of your organisation's."))
    return locked


def inbox_request_locked(membership: Membership, request: AssessmentRequest) -> AssessmentRequest:
    """The request, locked, if the member's organisation received it."""
    locked = (
        AssessmentRequest.objects.select_for_update()
        .select_related("supplier", "requester", "edition__guideline")
        .filter(pk=request.pk, supplier__organisation=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise NotFound(_("This request is not one of your organisation's."))
    return locked


def check_due_date(due_date: datetime.date, today: datetime.date):
    if due_date < today:
        raise SupplyChainError(_("The due date is in the past."))


def request_state(request: AssessmentRequest) -> dict:
    return {
        "supplier": request.supplier.name,
        "corporate_number": request.supplier.corporate_number,
        "edition": f"{request.edition.guideline.slug} {request.edition.code}",
        "fiscal_year": request.fiscal_year,
        "due_date": request.due_date.isoformat(),
        "pass_on": request.pass_on,
        "parent": request.parent_id,
        "status": request.status,
    }


def notify_suppliers(requests, *, sender, actor):
    """One e-mail per supplier on Keiretsu (others learn of it through their invitation): only
    for a verified sender, within its daily limit, or nothing is sent (outgoing.py)."""
    from .. import outgoing, tasks

    by_supplier = {}
    for request in requests:
        if request.supplier.organisation_id:
            by_supplier.setdefault(request.supplier_id, []).append(request.pk)
    if by_supplier:
        outgoing.check_sender(sender, actor)
        outgoing.reserve(sender, len(by_supplier))
    for ids in by_supplier.values():
        enqueue(tasks.send_request_notice, ids)
