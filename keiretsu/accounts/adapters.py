"""How django-allauth fits Keiretsu: the client's address, failed sign-ins in the audit log,
and which second factor may be removed. Settings: the accounts block of settings.py;
the rules: docs/security.md."""

from collections import namedtuple
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import security
from .models import normalise_email


Site = namedtuple("Site", "name domain")


def _site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def client_address(request) -> str:
    """The client's address: the one home of this rule. Behind TRUSTED_PROXY, the address the
    proxy appended to X-Forwarded-For (ALLAUTH_TRUSTED_PROXY_COUNT); otherwise the
    connection's. Rate limits, sessions and the audit log all take it from here."""
    from allauth.account.adapter import get_adapter

    return get_adapter().get_client_ip(request) or ""


class AccountAdapter(DefaultAccountAdapter):
    """Failed sign-ins are counted (docs/security.md, "Nobody can lock a real user out"):

    - per address *and client* (SIGN_IN_MAX_FAILURES): someone guessing from elsewhere
      never pauses the real person's own sign-in;
    - per client over every address (SIGN_IN_MAX_FAILURES_PER_CLIENT): one client trying
      many accounts is paused;
    - per address over every client (SIGN_IN_MAX_FAILURES_PER_ADDRESS, high): a guessing
      botnet is paused too; the person then signs in with a code sent to their address.

    A successful sign-in gives back what its attempt counted (allauth's rollback).
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": gettext_lazy(
            "Too many failed sign-ins from here. Wait a few minutes, or sign in with a code sent to your address."
        ),
    }

    # Links in mail point only to the instance's public address (SITE_URL), never to the
    # Host header of whoever triggered the mail.
    def get_email_confirmation_url(self, request, emailconfirmation):
        return _site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return _site_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix, email, context):
        site = urlsplit(settings.SITE_URL)
        super().send_mail(template_prefix, email, {"current_site": Site(_("Keiretsu"), site.netloc), **context})

    def _get_login_attempts_cache_key(self, request, **credentials):
        email = normalise_email(credentials.get("email", credentials.get("username", "")))
        return f"{email}|{client_address(request)}"

    def pre_authenticate(self, request, **credentials):
        from allauth.core.internal import ratelimit

        super().pre_authenticate(request, **credentials)
        email = normalise_email(credentials.get("email", credentials.get("username", "")))
        usage = ratelimit.consume(
            request, app="keiretsu", action="login_failed_address", config=settings.RATE_LIMITS, key=email
        )
        if usage is None:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")
        self._login_failed_rl_usage.usage.extend(usage.usage)

    def authentication_failed(self, request, **credentials):
        security.sign_in_failed(email=normalise_email(credentials.get("email", "")), address=client_address(request))

    def is_email_verified(self, request, email):
        # An invitation opened from the mailbox it was sent to counts as verified (member and
        # supplier invitations stash the address: accounts.views.invitation_accept).
        return super().is_email_verified(request, normalise_email(email))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """The last second factor of someone who must have one (staff, or a member of an
        organisation that requires it) cannot be removed: the page says why."""
        return not security.mfa_removal_problem(authenticator)

    def get_totp_label(self, user) -> str:
        return user.email

    def _get_site_name(self) -> str:
        return _("Keiretsu")
