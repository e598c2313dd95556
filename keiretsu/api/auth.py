"""How an API request is authenticated and scoped. Every endpoint goes through `api_view`.

- Authentication: `Authorization: Bearer <token>` (a personal API token), or the browser
  session (so pages can fetch JSON). No authentication: 401.
- Organisation: endpoints under /api/v1/o/<org_id>/ get the caller's membership; anyone
  who is not a member gets 404, exactly like the web pages.
- Errors are JSON: {"error": "...", ...} with 400 / 401 / 403 / 404 / 409 / 410: every
  refusal (lib.refusals.Refusal, which every app's errors derive from) is mapped here, once.
"""

import json
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from keiretsu.accounts import security
from keiretsu.accounts.selectors import membership_for
from keiretsu.lib.refusals import Refusal
from keiretsu.lib.tokens import hash_token

from .models import ApiToken


class ApiError(Refusal):
    """A refusal of the API itself (authentication, a bad request body), with extra JSON keys."""

    def __init__(self, message, status=400, **extra):
        super().__init__(message)
        self.status, self.extra = status, extra


def json_response(data, status=200):
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _token_user(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = ApiToken.objects.select_related("user").filter(
        token_hash=hash_token(header.removeprefix("Bearer ").strip()), revoked_at=None, user__is_active=True
    ).first()
    if token is None:
        raise ApiError("invalid or revoked API token", status=401)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def api_view(methods=("GET",), organisation=True):
    """Decorate an endpoint `view(request, membership, ...)` (or `view(request, ...)` when
    organisation=False). Bearer-token requests are exempt from CSRF; session requests are not."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise ApiError(f"method {request.method} not allowed", status=405)
                user = _token_user(request)
                if user is None:
                    if not request.user.is_authenticated:
                        raise ApiError("authentication required", status=401)
                    user = request.user
                    if request.method not in ("GET", "HEAD", "OPTIONS"):
                        _check_csrf(request)
                request.user = user
                if (user.is_staff or user.is_superuser) and not security.has_mfa(user):
                    raise ApiError(
                        "administrators of this instance must use two-factor authentication: "
                        "set it up (/accounts/2fa/) before using the API", status=403, reason="mfa_required",
                    )
                if organisation:
                    membership = membership_for(user, kwargs.pop("org_id"))
                    if membership.organisation.require_mfa and not security.has_mfa(user):
                        raise ApiError(
                            "this organisation requires two-factor authentication of every member: set it up "
                            "(/accounts/2fa/) before using its API, with the browser or an API token",
                            status=403, reason="mfa_required",
                        )
                    request.membership = membership
                    result = view(request, membership, *args, **kwargs)
                else:
                    result = view(request, *args, **kwargs)
            except Http404:  # a NotFound refusal too: never say more than "not found"
                return json_response({"error": "not found"}, status=404)
            except Refusal as exc:
                return json_response({"error": exc.message, **getattr(exc, "extra", {})}, status=exc.status)
            except PermissionDenied as exc:
                return json_response({"error": str(exc) or "not allowed for your role"}, status=403)
            if isinstance(result, JsonResponse):
                return result
            return json_response(result)

        return wrapped

    return decorator


def _check_csrf(request):
    reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    if reason is not None:
        raise ApiError("CSRF check failed", status=403)


def json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError("the request body must be a JSON object")
    return data
