"""Supplier invitations by e-mail, and linking a company that joins to the customers' lists."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, Role, User, normalise_email
from keiretsu.accounts.services import require_verified_email
from keiretsu.lib import limits
from keiretsu.lib.refusals import require_own
from keiretsu.lib.tokens import hash_token, new_token

from ..models import Supplier, SupplierInvitation, SupplyChainEvent
from .common import enqueue, require_answerer
from .errors import Conflict, InvitationProblem, SupplyChainError


def invitation_create(*, supplier: Supplier, actor: User) -> SupplierInvitation:
    """Inside a transaction: a new invitation replaces any open one; the e-mail (and its
    token) is made by the background worker after commit. Only for a verified organisation and
    account, within its daily limit of e-mails to other companies (outgoing.py)."""
    from .. import outgoing

    outgoing.check_sender(supplier.customer, actor)
    outgoing.reserve(supplier.customer, 1)
    now = timezone.now()
    SupplierInvitation.objects.filter(supplier=supplier, accepted_at=None, revoked_at=None).update(revoked_at=now)
    invitation = SupplierInvitation.objects.create(
        supplier=supplier,
        email=supplier.contact_email,
        corporate_number=supplier.corporate_number,
        invited_by=actor,
        expires_at=now + datetime.timedelta(days=settings.SUPPLIER_INVITATION_VALID_DAYS),
    )
    audit.record(
        actor=actor,
        organisation=supplier.customer,
        event=SupplyChainEvent.SUPPLIER_INVITED,
        target=supplier,
        after={"email": invitation.email, "expires_at": invitation.expires_at.isoformat()},
    )
    from .. import tasks

    enqueue(tasks.send_supplier_invitation, invitation.pk)
    return invitation


def supplier_invite(*, membership: Membership, actor: User, supplier: Supplier) -> SupplierInvitation:
    """Send the invitation again (a new link; the previous one stops working)."""
    require_answerer(membership)
    require_verified_email(actor)
    require_own(membership, supplier.customer_id)
    if supplier.organisation_id and supplier.organisation.is_verified:
        raise Conflict(_("This supplier is already on Keiretsu: no invitation is needed."))
    limits.consume(action="invitation", user=actor)
    with transaction.atomic():
        return invitation_create(supplier=supplier, actor=actor)


def invitation_issue_token(invitation_id) -> tuple[SupplierInvitation, str] | None:
    """Make the secret of an invitation's link when its e-mail is sent (only its hash is kept)."""
    with transaction.atomic():
        invitation = (
            SupplierInvitation.objects.select_for_update(of=("self",))
            .select_related("supplier__customer", "supplier__organisation", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_open:
            return None
        linked = invitation.supplier.organisation
        if linked is not None and linked.is_verified:
            return None
        token, token_hash = new_token()
        invitation.token_hash, invitation.sent_at = token_hash, timezone.now()
        invitation.save(update_fields=["token_hash", "sent_at"])
    return invitation, token


def invitation_by_token(token: str) -> SupplierInvitation:
    invitation = (
        SupplierInvitation.objects.select_related("supplier__customer", "supplier__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationProblem(_("This invitation link is not valid. Ask your customer for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationProblem(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise InvitationProblem(_("This invitation was replaced by a newer one. Use the link of the latest e-mail."))
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(_("This invitation has expired. Ask your customer to send it again."))
    return invitation


def invitation_check_user(invitation: SupplierInvitation, user: User):
    if normalise_email(user.email) != invitation.email:
        raise Conflict(
            _("This invitation was sent to another e-mail address. Sign in as %(email)s to accept it.")
            % {"email": invitation.email}
        )


def registration_defaults(invitation: SupplierInvitation) -> dict:
    """What the registration form suggests to an invited company: the name its customer gave
    it, one tier below the customer (the lowest tier stays the lowest)."""
    customer = invitation.supplier.customer
    return {"name": invitation.supplier.name, "tier": min(customer.tier + 1, max(Organisation.Tier.values))}


def invitation_target(invitation: SupplierInvitation, user: User) -> Organisation | None:
    """The organisation the user would accept this invitation for: the one verified for the
    invitation's corporate number if the user owns it, else the user's own unverified claim of
    it; None when the user must register the company first. Refused when another organisation
    is verified for the number, or the user is a member of a claim without being its owner."""
    number = invitation.corporate_number
    verified = Organisation.objects.filter(corporate_number=number, verified_at__isnull=False).first()
    own = {
        m.organisation_id: m
        for m in Membership.objects.filter(user=user, organisation__corporate_number=number).select_related(
            "organisation"
        )
    }
    if verified is not None:
        membership = own.get(verified.pk)
        if membership is None or not membership.can_manage:
            raise Conflict(
                _(
                    "%(name)s is already on Keiretsu, verified for this corporate number. Ask one of its owners to accept this invitation, or to make you an owner."
                )
                % {"name": verified.name}
            )
        return verified
    if own:
        owned = [m.organisation for m in own.values() if m.can_manage]
        if not owned:
            name = next(iter(own.values())).organisation.name
            raise Conflict(
                _("Ask an owner of %(name)s to accept this invitation, or to make you an owner.") % {"name": name}
            )
        return min(owned, key=lambda o: o.pk)
    return None


def invitation_accept(*, user: User, token: str, registration: dict | None = None) -> Organisation:
    """Accept a supplier invitation. The customer entered this address for this corporate
    number, so accepting it verifies the company (registered first if need be, with the
    invitation's number) and links it to every customer's entry naming the number."""
    require_verified_email(user)
    with transaction.atomic():
        invitation = invitation_by_token(token)
        invitation = SupplierInvitation.objects.select_for_update().select_related("supplier").get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationProblem(_("This invitation has already been used."))
        invitation_check_user(invitation, user)
        organisation = invitation_target(invitation, user)
        if organisation is None:
            if registration is None:
                raise SupplyChainError(_("Register your company to accept the invitation."))
            organisation = account_services.organisation_create(
                actor=user, **{**registration, "corporate_number": invitation.corporate_number}
            )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if not organisation.is_verified:
            from .identity import organisation_verify

            organisation_verify(
                actor=user,
                organisation=organisation,
                via=Organisation.Verification.INVITATION,
                note=_("Invitation from %(customer)s to %(email)s")
                % {"customer": invitation.supplier.customer.name, "email": invitation.email},
            )
        elif invitation.supplier.organisation_id != organisation.pk:
            supplier_link_organisation(organisation=organisation, actor=user)
    return organisation


def supplier_link_organisation(*, organisation: Organisation, actor: User | None) -> list[Supplier]:
    """Link every customer's list entry with this corporate number that is not linked yet to
    the organisation, which must be verified for it: its requests then appear in its inbox."""
    if not organisation.is_verified:
        return []
    with transaction.atomic():
        suppliers = list(
            Supplier.objects.select_for_update()
            .filter(corporate_number=organisation.corporate_number, organisation=None)
            .exclude(customer=organisation)
            .select_related("customer")
        )
        now = timezone.now()
        for supplier in suppliers:
            supplier.organisation, supplier.linked_at = organisation, now
            supplier.save(update_fields=["organisation", "linked_at", "updated_at"])
            audit.record(
                actor=actor,
                organisation=supplier.customer,
                event=SupplyChainEvent.SUPPLIER_LINKED,
                target=supplier,
                after={"organisation": organisation.name, "corporate_number": organisation.corporate_number},
            )
    return suppliers
