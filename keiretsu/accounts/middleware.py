"""Session lifetime and the administrators' second factor, checked on every request
(rules: accounts.security; docs/security.md)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import security

# Pages a person who still has to set up a second factor can reach: the account pages
# (MFA set-up, sign-out, password), language switching, health checks and static files.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/readyz", "/favicon")


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            if security.session_expired(request):
                logout(request)
                messages.info(request, _("You were signed out after a period without activity. Please sign in again."))
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "session expired: sign in again"}, status=401)
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
            if (user.is_staff or user.is_superuser) and not security.session_has_mfa(request):
                response = mfa_setup_required(request, security.mfa_required_reason(user))
                if response is not None:
                    return response
        return self.get_response(request)


def mfa_setup_required(request, reason):
    """Send a person who must have a second factor to set one up (None: the page is open)."""
    if request.path.startswith(OPEN_PREFIXES):
        return None
    if request.path.startswith("/api/"):
        return JsonResponse({"error": reason + " " + _("Set up two-factor authentication first.")}, status=403)
    messages.warning(request, reason + " " + _("Set up two-factor authentication to continue."))
    return redirect("mfa_index")
