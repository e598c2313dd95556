"""The request tree: every write of `RequestPath` (the closure table), sending one request
into the tree, and passing accepted requests on down the tiers."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, User
from keiretsu.catalogue.models import Edition
from keiretsu.accounts.services import require_verified_email
from keiretsu.lib import limits
from keiretsu.lib.refusals import require_own

from ..models import AssessmentRequest, RequestPath, Supplier, SupplyChainEvent
from .common import check_due_date, notify_suppliers, request_state, require_answerer
from .errors import Conflict, SupplyChainError


@dataclass
class Skipped:
    supplier: Supplier
    edition: Edition
    reason: str


@dataclass
class SendResult:
    created: list[AssessmentRequest] = field(default_factory=list)
    linked: list[AssessmentRequest] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def send_request(
    *,
    requester,
    supplier,
    edition,
    fiscal_year,
    due_date,
    message,
    pass_on,
    actor,
    language,
    parent=None,
    replaces=None,
):
    """One new request, linked into the request tree and audited. `replaces` is the supplier's
    declined current request for the same edition and year, which this one supersedes."""
    if replaces is not None:
        replaces.is_current = False
        replaces.save(update_fields=["is_current"])
    request = AssessmentRequest(
        requester=requester,
        supplier=supplier,
        edition=edition,
        fiscal_year=fiscal_year,
        due_date=due_date,
        message=message,
        pass_on=pass_on,
        parent=parent,
        created_by=actor,
        requester_language=language,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise Conflict(
            _("%(supplier)s has just been asked for %(edition)s for this year by someone else: reload and try again.")
            % {"supplier": supplier.name, "edition": edition}
        ) from None
    _paths_insert(request, parent)
    audit.record(
        actor=actor,
        organisation=requester,
        event=SupplyChainEvent.REQUEST_SENT,
        target=request,
        target_label=f"{supplier.name} · {edition}",
        after=request_state(request),
    )
    return request


def current_requests(suppliers, editions, fiscal_year) -> dict:
    return {
        (r.supplier_id, r.edition_id): r
        for r in AssessmentRequest.objects.select_for_update().filter(
            supplier__in=suppliers, edition__in=editions, fiscal_year=fiscal_year, is_current=True
        )
    }


def _paths_insert(request: AssessmentRequest, parent: AssessmentRequest | None):
    """A new request's closure rows: itself, and one per ancestor of its parent."""
    RequestPath.objects.create(ancestor=request, descendant=request, depth=0)
    if parent is not None:
        RequestPath.objects.bulk_create(
            [
                RequestPath(ancestor_id=p.ancestor_id, descendant=request, depth=p.depth + 1)
                for p in parent.ancestor_paths.all()
            ]
        )


def join_tree(existing: AssessmentRequest, parent: AssessmentRequest) -> str:
    """Put an independent open request under `parent`; the reason it cannot be, or ""."""
    if existing.parent_id == parent.pk:
        return _("already passed on")
    if existing.parent_id is not None:
        return _("already asked as part of another customer's request")
    if existing.due_date > parent.due_date:
        return _("already asked with a later due date")
    if RequestPath.objects.filter(ancestor=existing, descendant=parent).exists():
        return _("already asked, higher up in this chain")
    existing.parent = parent
    existing.save(update_fields=["parent"])
    above = list(RequestPath.objects.filter(descendant=parent))
    below = list(RequestPath.objects.filter(ancestor=existing))
    RequestPath.objects.bulk_create(
        [
            RequestPath(ancestor_id=a.ancestor_id, descendant_id=b.descendant_id, depth=a.depth + b.depth + 1)
            for a in above
            for b in below
        ]
    )
    return ""


def detach(request: AssessmentRequest):
    """Cut the closure rows joining the request's ancestors to its subtree."""
    subtree = RequestPath.objects.filter(ancestor=request).values("descendant")
    above = RequestPath.objects.filter(descendant=request, depth__gt=0).values("ancestor")
    RequestPath.objects.filter(descendant__in=subtree, ancestor__in=above).delete()


def requests_pass_on(
    *,
    membership: Membership,
    actor: User,
    parents: list[AssessmentRequest],
    suppliers: list[Supplier] | None,
    due_date: datetime.date,
    message: str = "",
    pass_on: bool = True,
    today: datetime.date,
    language: str = "ja",
) -> SendResult:
    """The cascade: pass accepted requests on to one's own suppliers in one action.

    Each child request has the parent's edition and year, a due date no later than the
    parent's, and points at its parent, so the customer's tree grows by one tier.
    `suppliers=None` means every supplier on the list. A supplier already asked for the same
    edition and year by an independent request has that request joined to the tree.
    """
    require_answerer(membership)
    require_verified_email(actor)
    me = membership.organisation
    if not parents:
        raise SupplyChainError(_("Choose at least one accepted request that asks to be passed on."))
    check_due_date(due_date, today)
    for parent in parents:
        require_own(membership, parent.supplier.organisation_id)
        if not parent.can_pass_on:  # AssessmentRequest.PASSABLE; say which part of it fails
            if parent.is_open and parent.status == AssessmentRequest.Status.ACCEPTED:
                raise SupplyChainError(_("This request does not ask to be passed on."))
            raise Conflict(_("Accept a request before passing it on."))
        if due_date > parent.due_date:
            raise SupplyChainError(
                _("The due date cannot be later than your customer's due date (%(date)s).")
                % {"date": parent.due_date.isoformat()}
            )
    if suppliers is None:
        suppliers = list(Supplier.objects.filter(customer=me).select_related("organisation"))
    if not suppliers:
        raise SupplyChainError(_("Your supplier list is empty: add your suppliers first."))
    limits.consume(action="request", user=actor)
    for supplier in suppliers:
        require_own(membership, supplier.customer_id)

    result = SendResult()
    with transaction.atomic():
        for parent in parents:
            parent = (
                AssessmentRequest.objects.select_for_update().select_related("edition__guideline").get(pk=parent.pk)
            )
            upstream_numbers = set(
                AssessmentRequest.objects.filter(descendant_paths__descendant=parent).values_list(
                    "requester__corporate_number", flat=True
                )
            )
            current = current_requests(suppliers, [parent.edition], parent.fiscal_year)
            created_here = []
            for supplier in suppliers:
                existing = current.get((supplier.pk, parent.edition_id))
                if supplier.corporate_number in upstream_numbers:
                    result.skipped.append(Skipped(supplier, parent.edition, _("is a customer higher up in this chain")))
                    continue
                if existing is not None and existing.is_open:
                    reason = join_tree(existing, parent)
                    if reason:
                        result.skipped.append(Skipped(supplier, parent.edition, reason))
                    else:
                        result.linked.append(existing)
                    continue
                request = send_request(
                    requester=me,
                    supplier=supplier,
                    edition=parent.edition,
                    fiscal_year=parent.fiscal_year,
                    due_date=due_date,
                    message=message.strip(),
                    pass_on=pass_on,
                    actor=actor,
                    language=language,
                    parent=parent,
                    replaces=existing,  # None, or a declined request
                )
                created_here.append(request)
            audit.record(
                actor=actor,
                organisation=me,
                event=SupplyChainEvent.REQUEST_PASSED_ON,
                target=parent,
                target_label=f"{parent.requester.name} · {parent.edition}",
                after={
                    "created": len(created_here),
                    "due_date": due_date.isoformat(),
                    "requests": [r.pk for r in created_here],
                },
            )
            result.created += created_here
        notify_suppliers(result.created, sender=me, actor=actor)
    return result
