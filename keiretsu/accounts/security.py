"""Account security rules (docs/security.md): who must have a second factor, the audit of
sign-ins and account changes, the session's lifetime, "sign out everywhere", and the
organisation's "require two-factor authentication" setting.

allauth does the sign-in, verification, reset and MFA flows; this module is where Keiretsu's
own rules about them live, once.
"""

import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from keiretsu.lib.refusals import BadInput, NotAllowed

from . import audit
from .models import AccountEvent, Membership, Organisation, User, normalise_email

SESSION_MFA = "keiretsu_mfa"  # does the signed-in person have a second factor (bool)
SESSION_AUTH_AT = "keiretsu_auth_at"  # when they signed in (epoch seconds)
SESSION_SEEN_AT = "keiretsu_seen_at"  # their last request (epoch seconds, to the minute)


# --- Second factors ----------------------------------------------------------------------


def has_mfa(user) -> bool:
    """A second factor is an authenticator app (TOTP) or a security key / passkey. Recovery
    codes alone are not one: they exist only beside one."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def organisations_requiring_mfa(user):
    return Organisation.objects.filter(memberships__user_id=user.pk, require_mfa=True).order_by("name")


def mfa_required_reason(user) -> str:
    """Why this person must have a second factor ("" when they need not)."""
    if user.is_staff or user.is_superuser:
        return _("Administrators of this Keiretsu instance must use two-factor authentication.")
    names = [organisation.name for organisation in organisations_requiring_mfa(user)]
    if names:
        return _("%(organisations)s requires two-factor authentication of every member.") % {
            "organisations": "、".join(names)
        }
    return ""


def mfa_removal_problem(authenticator) -> str:
    """Why this authenticator may not be removed: it is the person's last second factor and
    they must have one. "" when it may be removed."""
    from allauth.mfa.models import Authenticator

    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return ""
    others = Authenticator.objects.filter(
        user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exclude(pk=authenticator.pk)
    if others.exists():
        return ""
    reason = mfa_required_reason(authenticator.user)
    if not reason:
        return ""
    return _("This is your last second factor and you must keep one: %(reason)s Add another one first.") % {
        "reason": reason
    }


def session_has_mfa(request) -> bool:
    """Whether the signed-in person has a second factor, remembered in the session at sign-in
    and whenever they add or remove one (no query per page)."""
    if SESSION_MFA not in request.session:
        request.session[SESSION_MFA] = has_mfa(request.user)
    return request.session[SESSION_MFA]


def remember_mfa(request, user):
    if request is not None and hasattr(request, "session") and request.user.is_authenticated and request.user.pk == user.pk:
        request.session[SESSION_MFA] = has_mfa(user)


# --- The audit of sign-ins and account changes -----------------------------------------------


def record_for_person(*, user, event, actor=None, after=None, before=None):
    """One row in the log of every organisation the person belongs to (their owners review
    them), or one instance-level row when they belong to none."""
    organisation_ids = list(Membership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True))
    with transaction.atomic():
        for organisation_id in organisation_ids or [None]:
            audit.record(
                actor=actor if actor is not None else user,
                organisation=Organisation(pk=organisation_id) if organisation_id else None,
                event=event,
                target=user,
                target_label=user.email,
                before=before,
                after=after,
            )


def sign_in_failed(*, email: str, address: str):
    """A failed password sign-in, with the client's address; for an address without an
    account, one instance-level row (the instance administrator reviews those)."""
    user = User.objects.filter(email=normalise_email(email)).first() if email else None
    if user is not None:
        record_for_person(user=user, event=AccountEvent.SIGN_IN_FAILED, actor=None, after={"address": address})
        return
    with transaction.atomic():
        audit.record(
            actor=None,
            organisation=None,
            event=AccountEvent.SIGN_IN_FAILED,
            target=User(email=email),
            target_label=email[:300],
            after={"address": address, "email": email[:254]},
        )


# --- Sessions ------------------------------------------------------------------------------


def start_session(request, user):
    """At sign-in: when it began (absolute lifetime), the last request (idle timeout), and
    whether the person has a second factor."""
    now = int(time.time())
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_SEEN_AT] = now
    request.session[SESSION_MFA] = has_mfa(user)


def session_expired(request) -> bool:
    """True when the session has been idle for SESSION_IDLE_MINUTES or is older than
    SESSION_MAX_HOURS; otherwise notes this request (at most once a minute: no write per page)."""
    now = int(time.time())
    session = request.session
    auth_at, seen_at = session.get(SESSION_AUTH_AT), session.get(SESSION_SEEN_AT)
    if auth_at is None or seen_at is None:
        session.setdefault(SESSION_AUTH_AT, now)
        session[SESSION_SEEN_AT] = now
        return False
    if now - seen_at > settings.SESSION_IDLE_MINUTES * 60 or now - auth_at > settings.SESSION_MAX_HOURS * 3600:
        return True
    if now - seen_at >= 60:
        session[SESSION_SEEN_AT] = now
    return False


def sign_out_everywhere(*, request, user):
    """Ends every session of the person, this one included (every browser, every server)."""
    from importlib import import_module

    from allauth.usersessions.models import UserSession
    from django.contrib.auth import logout

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    keys.discard(request.session.session_key)
    record_for_person(user=user, event=AccountEvent.SIGNED_OUT_EVERYWHERE, after={"sessions": len(keys) + 1})
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    logout(request)


# --- The organisation's security settings ---------------------------------------------------


def organisation_set_require_mfa(*, membership, actor, require: bool) -> Organisation:
    """Owner only; an owner who turns it on must have a second factor already."""
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner of the organisation can do this."))
    if require and not has_mfa(actor):
        raise BadInput(_("Set up two-factor authentication for yourself first: you are a member too."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        before = organisation.require_mfa
        if before != require:
            organisation.require_mfa = require
            organisation.save(update_fields=["require_mfa"])
            audit.record(
                actor=actor,
                organisation=organisation,
                event=AccountEvent.SECURITY_CHANGED,
                target=organisation,
                before={"require_mfa": before},
                after={"require_mfa": require},
            )
    return organisation


def members_without_mfa(organisation) -> int:
    from allauth.mfa.models import Authenticator

    with_mfa = Authenticator.objects.filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).values("user_id")
    return Membership.objects.filter(organisation=organisation).exclude(user_id__in=with_mfa).count()
