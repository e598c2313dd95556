"""Verified company identity (docs/supplychain.md, "Verified identity").

A corporate number is public, so registering it proves nothing: an organisation's number is a
*claim*, and claims never block one another. An organisation becomes *verified* for its
number when it accepts a supplier invitation a customer sent for that number (the customer
vouches for the address), or when the instance administrator or an industry body verifies it
(with a note). Only a verified organisation is linked into customers' lists automatically and
so receives the requests sent or passed on to its number. When a number becomes verified,
every other claim of it is detached from every customer's list and request, audited, and its
owners are told why.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Organisation, User
from keiretsu.lib.refusals import NotAllowed, NotFound, require_own

from ..models import AssessmentRequest, Share, Supplier, SupplyChainEvent
from .common import enqueue, require_answerer
from .errors import Conflict, SupplyChainError
from .tree import detach

Verification = Organisation.Verification


def organisation_verify(
    *,
    actor: User | None,
    organisation: Organisation,
    via: str,
    note: str = "",
    body_membership: Membership | None = None,
) -> Organisation:
    """Verify an organisation for its corporate number, then link every customer's list entry
    naming that number to it (detaching any other claim).

    via INVITATION: called by invitation_accept (the invitation is the evidence).
    via ADMINISTRATOR: `actor` must be staff (None: the instance's operator at the command
    line, e.g. demo data); via INDUSTRY_BODY: `body_membership` is an owner of an industry body.
    Both need a note saying how the identity was checked.
    """
    note = (note or "").strip()
    if via == Verification.ADMINISTRATOR:
        if actor is not None and not actor.is_staff:
            raise NotAllowed(_("Only the instance administrator or an industry body can verify an organisation."))
    elif via == Verification.INDUSTRY_BODY:
        if body_membership is None or not body_membership.organisation.is_industry_body:
            raise NotAllowed(_("Only the instance administrator or an industry body can verify an organisation."))
        if not body_membership.can_manage:
            raise NotAllowed(_("Only an owner of the organisation can do this."))
    elif via != Verification.INVITATION:
        raise SupplyChainError(_("Say how the organisation was verified."))
    if via != Verification.INVITATION and not note:
        raise SupplyChainError(_("Write a note saying how you checked that this is the company."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.is_verified:
            raise Conflict(_("%(name)s is already verified.") % {"name": organisation.name})
        holder = verified_holder(organisation.corporate_number)
        if holder is not None:
            raise Conflict(
                _("Another organisation (%(name)s) is already verified for the corporate number %(number)s.")
                % {"name": holder.name, "number": organisation.corporate_number}
            )
        organisation.verified_at, organisation.verified_via = timezone.now(), via
        organisation.verification_note = note[:2000]
        try:
            with transaction.atomic():
                organisation.save(update_fields=["verified_at", "verified_via", "verification_note"])
        except IntegrityError:
            raise Conflict(_("Another organisation has just been verified for this corporate number.")) from None
        after = {
            "corporate_number": organisation.corporate_number,
            "via": via,
            "note": organisation.verification_note,
        }
        if body_membership is not None:
            after["by"] = body_membership.organisation.name
        audit.record(
            actor=actor,
            organisation=organisation,
            event=SupplyChainEvent.ORGANISATION_VERIFIED,
            target=organisation,
            before={"verified": False},
            after=after,
        )
        if body_membership is not None:
            audit.record(
                actor=actor,
                organisation=body_membership.organisation,
                event=SupplyChainEvent.ORGANISATION_VERIFIED,
                target=organisation,
                before={"verified": False},
                after=after,
            )
        _take_place(organisation, actor)
    return organisation


def verified_holder(corporate_number: str) -> Organisation | None:
    return Organisation.objects.filter(corporate_number=corporate_number, verified_at__isnull=False).first()


def _take_place(organisation: Organisation, actor: User | None) -> list[Supplier]:
    """Inside the verifying transaction: every customer's entry naming the number is linked to
    the verified organisation; an entry linked to another claim is detached from it first."""
    entries = list(
        Supplier.objects.select_for_update(of=("self",))
        .filter(corporate_number=organisation.corporate_number)
        .exclude(customer=organisation)
        .exclude(organisation=organisation)
        .select_related("customer", "organisation")
    )
    detached_claims = {}
    now = timezone.now()
    for entry in entries:
        if entry.organisation_id is not None:
            detached_claims[entry.organisation_id] = entry.organisation
            _detach_claim(entry, actor, reason="verified", verified=organisation)
        entry.organisation, entry.linked_at = organisation, now
        entry.save(update_fields=["organisation", "linked_at", "updated_at"])
        audit.record(
            actor=actor,
            organisation=entry.customer,
            event=SupplyChainEvent.SUPPLIER_LINKED,
            target=entry,
            after={
                "organisation": organisation.name,
                "corporate_number": organisation.corporate_number,
                "verified": True,
            },
        )
    from .. import tasks

    for claim in detached_claims.values():
        enqueue(tasks.send_claim_detached, claim.pk, organisation.pk)
    return entries


def _detach_claim(entry: Supplier, actor: User | None, *, reason: str, verified: Organisation | None = None):
    """Take an unverified claim off one customer's entry: what the claim answered under the
    number (acceptances, declines, shares, requests it passed on) no longer counts for it."""
    claim = entry.organisation
    requests = list(AssessmentRequest.objects.select_for_update().filter(supplier=entry, is_current=True))
    reset = []
    for request in requests:
        if request.status in (AssessmentRequest.Status.ACCEPTED, AssessmentRequest.Status.DECLINED):
            request.status, request.decline_reason = AssessmentRequest.Status.PENDING, ""
            request.responded_at = request.responded_by = None
            request.responder_language = ""
            request.save(
                update_fields=["status", "decline_reason", "responded_at", "responded_by", "responder_language"]
            )
            reset.append(request.pk)
        for child in AssessmentRequest.objects.filter(parent=request):
            detach(child)
            child.parent = None
            child.save(update_fields=["parent"])
    shares = list(Share.objects.filter(request__supplier=entry, organisation=claim, ended_at=None))
    now = timezone.now()
    Share.objects.filter(pk__in=[s.pk for s in shares]).update(ended_at=now, ended=Share.Ended.DETACHED)
    entry.organisation, entry.linked_at = None, None
    entry.save(update_fields=["organisation", "linked_at", "updated_at"])
    after = {
        "organisation": claim.name,
        "corporate_number": entry.corporate_number,
        "detached_because": reason,
        "requests_reset": reset,
        "shares_ended": [s.pk for s in shares],
    }
    if verified is not None:
        after["verified_organisation"] = verified.name
    for organisation in (entry.customer, claim):
        audit.record(
            actor=actor,
            organisation=organisation,
            event=SupplyChainEvent.CLAIM_DETACHED,
            target=entry,
            target_label=f"{entry.name} ({entry.corporate_number})",
            after=after,
        )


def unverified_claims(corporate_number: str):
    """The organisations that registered this number without being verified for it."""
    return Organisation.objects.filter(corporate_number=corporate_number, verified_at=None).order_by("created_at")


def supplier_link_claim(
    *, membership: Membership, actor: User, supplier: Supplier, organisation: Organisation, acknowledged: bool
) -> Supplier:
    """The customer links an unverified registration of the supplier's number to its entry,
    knowingly (audited with the warning it saw). Requests to the entry then reach that
    organisation; if another organisation is verified for the number later, the link is undone."""
    require_answerer(membership)
    require_own(membership, supplier.customer_id)
    if not acknowledged:
        raise SupplyChainError(
            _("Confirm that you know this registration is not verified and that you checked it is your supplier.")
        )
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if supplier.organisation_id is not None:
            raise Conflict(_("This supplier is already linked."))
        claim = unverified_claims(supplier.corporate_number).filter(pk=organisation.pk).first()
        if claim is None:
            raise NotFound(_("No unverified registration of this corporate number was found."))
        if claim.pk == membership.organisation_id:
            raise SupplyChainError(_("You cannot link your own organisation."))
        supplier.organisation, supplier.linked_at = claim, timezone.now()
        supplier.save(update_fields=["organisation", "linked_at", "updated_at"])
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.SUPPLIER_LINKED_UNVERIFIED,
            target=supplier,
            after={
                "organisation": claim.name,
                "corporate_number": claim.corporate_number,
                "verified": False,
                "warning": str(UNVERIFIED_WARNING),
            },
        )
    return supplier


UNVERIFIED_WARNING = gettext_lazy(
    "Anyone can register a corporate number. This registration is not verified: link it only if you "
    "know it is your supplier (for example, you spoke to them). Your requests will then reach it."
)


def supplier_unlink_claim(*, membership: Membership, actor: User, supplier: Supplier) -> Supplier:
    """The customer undoes its own link to an unverified registration."""
    require_answerer(membership)
    require_own(membership, supplier.customer_id)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update(of=("self",)).select_related("organisation", "customer").get(pk=supplier.pk)
        if supplier.organisation_id is None or supplier.organisation.is_verified:
            raise Conflict(_("Only a link to an unverified registration can be undone."))
        _detach_claim(supplier, actor, reason="unlinked")
    return supplier
