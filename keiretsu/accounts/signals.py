"""allauth's and Django's account signals, turned into Keiretsu's audit rows and session
notes (accounts.security). Connected in apps.AccountsConfig.ready."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import PermissionDenied

from . import security
from .adapters import client_address
from .models import AccountEvent


def _address(request):
    # A request built without a connection (Django's Client.logout, a management command)
    # has no address; the audit row then has none rather than the sign-out failing.
    if request is None:
        return ""
    try:
        return client_address(request)
    except PermissionDenied:
        return ""


def on_login(sender, request, user, **kwargs):
    # Every sign-in (allauth's flows, and Client.force_login in tests): the session's clock.
    if request is not None and hasattr(request, "session"):
        security.start_session(request, user)


def on_signed_in(sender, request, user, **kwargs):
    # A sign-in through allauth's flow (password, code or passkey, with its second factor).
    security.record_for_person(user=user, event=AccountEvent.SIGNED_IN, after={"address": _address(request)})


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security.record_for_person(user=user, event=AccountEvent.SIGNED_OUT, after={"address": _address(request)})


def on_signed_up(sender, request, user, **kwargs):
    security.record_for_person(user=user, event=AccountEvent.USER_SIGNED_UP, after={"email": user.email})


def on_password_changed(sender, request, user, **kwargs):
    security.record_for_person(user=user, event=AccountEvent.PASSWORD_CHANGED, after={"address": _address(request)})


def on_password_reset(sender, request, user, **kwargs):
    security.record_for_person(user=user, event=AccountEvent.PASSWORD_RESET, after={"address": _address(request)})


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    security.record_for_person(
        user=user,
        event=AccountEvent.EMAIL_CHANGED,
        before={"email": from_email_address.email if from_email_address else ""},
        after={"email": to_email_address.email},
    )


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    security.remember_mfa(request, user)
    security.record_for_person(user=user, event=AccountEvent.MFA_ADDED, after={"kind": authenticator.type})


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    security.remember_mfa(request, user)
    security.record_for_person(user=user, event=AccountEvent.MFA_REMOVED, before={"kind": authenticator.type})


def on_authenticator_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == authenticator.Type.RECOVERY_CODES:
        security.record_for_person(
            user=user, event=AccountEvent.RECOVERY_CODE_USED, after={"address": _address(request)}
        )


def connect():
    auth_signals.user_logged_in.connect(on_login, dispatch_uid="keiretsu_session_start")
    auth_signals.user_logged_out.connect(on_logout, dispatch_uid="keiretsu_signed_out")
    account_signals.user_logged_in.connect(on_signed_in, dispatch_uid="keiretsu_signed_in")
    account_signals.user_signed_up.connect(on_signed_up, dispatch_uid="keiretsu_signed_up")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="keiretsu_password_changed")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="keiretsu_password_reset")
    account_signals.email_changed.connect(on_email_changed, dispatch_uid="keiretsu_email_changed")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="keiretsu_mfa_added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="keiretsu_mfa_removed")
    mfa_signals.authenticator_used.connect(on_authenticator_used, dispatch_uid="keiretsu_mfa_used")
