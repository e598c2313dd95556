"""Writes about organisations and people. Each one is one transaction with its audit row."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keiretsu.lib import limits, mailtext
from keiretsu.lib.refusals import Gone, NotAllowed, require_own
from keiretsu.lib.tokens import hash_token, new_token

from . import audit, selectors
from .models import AccountEvent, MemberInvitation, Membership, Organisation, Role, Scope, User, normalise_email

ORGANISATION_FIELDS = ("name", "corporate_number", "size_band", "business_type", "tier")


def _require_manager(membership):
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner of the organisation can do this."))


def require_verified_email(user):
    """Nothing that reaches another organisation before the person's address is verified
    (docs/security.md): creating or joining an organisation, invitations, requests, API tokens."""
    if not selectors.has_verified_email(user):
        raise NotAllowed(_("Verify your e-mail address first: open the link we sent you, or ask for a new one."))


def user_create(*, email: str, password: str, name: str = "", verified: bool = False) -> User:
    """An account made by the instance itself (demo data, scripts), not through sign-up; with
    verified=True its address counts as verified (the operator vouches for it)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, name=name)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def email_mark_verified(*, user: User):
    """The operator vouches for this person's address (demo accounts carried over from an
    instance made before verification existed)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True, primary=True)
        if not updated:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


def organisation_create(*, actor: User, **fields) -> Organisation:
    """A new organisation with its company-wide scope; its creator becomes its owner."""
    require_verified_email(actor)
    with transaction.atomic():
        organisation = Organisation(**{key: fields[key] for key in ORGANISATION_FIELDS})
        organisation.full_clean()
        organisation.save()
        Scope.objects.create(organisation=organisation, kind=Scope.Kind.COMPANY, name=organisation.name)
        Membership.objects.create(user=actor, organisation=organisation, role=Role.OWNER)
        audit.record(
            actor=actor,
            organisation=organisation,
            event=AccountEvent.ORGANISATION_CREATED,
            target=organisation,
            after=_organisation_state(organisation),
        )
    return organisation


def organisation_update(*, membership: Membership, actor: User, **fields) -> Organisation:
    _require_manager(membership)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        before = _organisation_state(organisation)
        number = fields.get("corporate_number", organisation.corporate_number)
        if number != organisation.corporate_number and (
            organisation.is_verified or organisation.customer_links.exists()
        ):
            # The number is what customers' lists and requests are linked by.
            raise ValidationError(
                {
                    "corporate_number": _(
                        "The corporate number cannot change once it is verified or a customer has linked it. "
                        "Ask the instance administrator."
                    )
                }
            )
        for key in ORGANISATION_FIELDS:
            if key in fields:
                setattr(organisation, key, fields[key])
        organisation.full_clean()
        after = _organisation_state(organisation)
        if after != before:
            organisation.save()
            Scope.objects.filter(organisation=organisation, kind=Scope.Kind.COMPANY).update(name=organisation.name)
            audit.record(
                actor=actor,
                organisation=organisation,
                event=AccountEvent.ORGANISATION_UPDATED,
                target=organisation,
                before=before,
                after=after,
            )
    return organisation


def _organisation_state(organisation):
    return {key: getattr(organisation, key) for key in ORGANISATION_FIELDS}


def scope_create(*, membership: Membership, actor: User, kind: str, name: str, parent: Scope | None = None) -> Scope:
    """A factory (under the company) or a production line (under a factory)."""
    _require_manager(membership)
    organisation = membership.organisation
    if kind == Scope.Kind.FACTORY:
        parent = Scope.objects.get(organisation=organisation, kind=Scope.Kind.COMPANY)
    elif kind == Scope.Kind.LINE:
        if parent is None or parent.organisation_id != organisation.pk or parent.kind != Scope.Kind.FACTORY:
            raise ValidationError({"parent": _("A production line belongs to one of your factories.")})
    else:
        raise ValidationError({"kind": _("Add a factory or a production line.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    with transaction.atomic():
        if Scope.objects.filter(organisation=organisation, parent=parent, name=name).exists():
            raise ValidationError({"name": _("There is already one with this name here.")})
        scope = Scope.objects.create(organisation=organisation, kind=kind, name=name, parent=parent)
        audit.record(
            actor=actor,
            organisation=organisation,
            event=AccountEvent.SCOPE_CREATED,
            target=scope,
            after={"kind": kind, "name": name, "parent": parent.name},
        )
    return scope


def scope_rename(*, membership: Membership, actor: User, scope: Scope, name: str) -> Scope:
    _require_manager(membership)
    require_own(membership, scope.organisation_id)
    if scope.kind == Scope.Kind.COMPANY:
        raise ValidationError({"name": _("The company scope takes the organisation's name.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    with transaction.atomic():
        if Scope.objects.filter(organisation=scope.organisation, parent=scope.parent, name=name).exclude(pk=scope.pk).exists():
            raise ValidationError({"name": _("There is already one with this name here.")})
        before = scope.name
        if before != name:
            scope.name = name
            scope.save(update_fields=["name"])
            audit.record(
                actor=actor,
                organisation=scope.organisation,
                event=AccountEvent.SCOPE_UPDATED,
                target=scope,
                before={"name": before},
                after={"name": name},
            )
    return scope


def member_invite(*, membership: Membership, actor: User, email: str, role: str) -> tuple[MemberInvitation, str]:
    """Invite a colleague by e-mail. Returns the invitation and the secret token of its link."""
    _require_manager(membership)
    require_verified_email(actor)
    email = normalise_email(email)
    organisation = membership.organisation
    if Membership.objects.filter(organisation=organisation, user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    limits.consume(action="invitation", user=actor)
    token, token_hash = new_token()
    with transaction.atomic():
        # A new invitation replaces an open one for the same address.
        MemberInvitation.objects.filter(
            organisation=organisation, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        invitation = MemberInvitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=token_hash,
            invited_by=actor,
            expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit.record(
            actor=actor,
            organisation=organisation,
            event=AccountEvent.MEMBER_INVITED,
            target=invitation,
            target_label=email,
            after={"email": email, "role": role, "expires_at": invitation.expires_at.isoformat()},
        )
        language = translation.get_language()
        transaction.on_commit(lambda: _send_invitation(invitation, token, language))
    return invitation, token


def _send_invitation(invitation, token, language):
    url = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    with translation.override(language):
        context = {
            "invitation": invitation,
            "organisation_name": mailtext.name(invitation.organisation.name),
            "url": url,
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        # No mail relay (docs/supplychain.md): fixed text and the name cut to 40 characters.
        subject = _("Invitation to %(organisation)s on Keiretsu") % {
            "organisation": mailtext.name(invitation.organisation.name)
        }
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


class InvitationProblem(Gone):
    """A member invitation link that cannot be used (unknown, used, withdrawn, expired)."""


def invitation_by_token(token: str) -> MemberInvitation:
    invitation = MemberInvitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationProblem(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationProblem(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise InvitationProblem(_("This invitation was withdrawn. Ask for a new invitation."))
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(_("This invitation has expired. Ask for a new invitation."))
    return invitation


def invitation_accept(*, user: User, token: str) -> Membership:
    require_verified_email(user)
    with transaction.atomic():
        invitation = invitation_by_token(token)
        invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationProblem(_("This invitation has already been used."))
        if normalise_email(user.email) != invitation.email:
            raise InvitationProblem(
                _("This invitation was sent to another e-mail address. Sign in as %(email)s to accept it.")
                % {"email": invitation.email}
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=invitation.organisation, role=invitation.role
                )
        except IntegrityError:
            raise InvitationProblem(_("You are already a member of this organisation.")) from None
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            actor=user,
            organisation=invitation.organisation,
            event=AccountEvent.MEMBER_JOINED,
            target=membership,
            target_label=user.email,
            after={"email": user.email, "role": membership.role},
        )
    return membership


def invitation_revoke(*, membership: Membership, actor: User, invitation: MemberInvitation):
    _require_manager(membership)
    require_own(membership, invitation.organisation_id)
    with transaction.atomic():
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                organisation=membership.organisation,
                event=AccountEvent.INVITATION_REVOKED,
                target=invitation,
                target_label=invitation.email,
                before={"email": invitation.email, "role": invitation.role},
            )


def _other_owners(member):
    return Membership.objects.filter(organisation=member.organisation_id, role=Role.OWNER).exclude(pk=member.pk)


def membership_change_role(*, membership: Membership, actor: User, member: Membership, role: str) -> Membership:
    _require_manager(membership)
    require_own(membership, member.organisation_id)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    with transaction.atomic():
        member = Membership.objects.select_for_update().get(pk=member.pk, organisation=membership.organisation)
        if member.role == Role.OWNER and role != Role.OWNER and not _other_owners(member).exists():
            raise ValidationError({"role": _("An organisation needs at least one owner.")})
        before = member.role
        if before != role:
            member.role = role
            member.save(update_fields=["role"])
            audit.record(
                actor=actor,
                organisation=membership.organisation,
                event=AccountEvent.MEMBER_ROLE_CHANGED,
                target=member,
                target_label=member.user.email,
                before={"role": before},
                after={"role": role},
            )
    return member


def membership_remove(*, membership: Membership, actor: User, member: Membership):
    _require_manager(membership)
    require_own(membership, member.organisation_id)
    with transaction.atomic():
        member = Membership.objects.select_for_update().get(pk=member.pk, organisation=membership.organisation)
        if member.role == Role.OWNER and not _other_owners(member).exists():
            raise ValidationError({"role": _("An organisation needs at least one owner.")})
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=AccountEvent.MEMBER_REMOVED,
            target=member,
            target_label=member.user.email,
            before={"email": member.user.email, "role": member.role},
        )
        member.delete()
