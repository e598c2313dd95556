"""Rate limits for any code that sends something on a person's behalf (member and supplier
invitations, requests): counted in the default cache, which every worker and server shares
(the database in production, Redis when CACHE_LOCATION names it), with allauth's limiter,
the one that also counts sign-ins, sign-ups, resets and verification mails.

    limits.consume(action="invitation", user=actor)   # raises LimitReached (429) when over

Rates are in settings.RATE_LIMITS ("50/h/user": 50 an hour per person; per "key" with
key=...; per "ip" with the request). docs/security.md lists them.
"""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .refusals import Refusal


class LimitReached(Refusal):
    status = 429


def consume(*, action: str, request=None, user=None, key=None) -> None:
    """Count one use of `action`; refuse (nothing counted) when that would pass a limit."""
    if request is None:
        request = HttpRequest()
        request.method = "POST"
    usage = ratelimit.consume(
        request, app="keiretsu", action=action, config=settings.RATE_LIMITS, key=key, user=user, limit_get=True
    )
    if usage is None:
        raise LimitReached(_("You have sent too many of these in a short time. Please wait a while and try again."))


def clear(*, action: str, request=None, user=None, key=None) -> None:
    if request is None:
        request = HttpRequest()
    ratelimit.clear(request, app="keiretsu", action=action, config=settings.RATE_LIMITS, key=key, user=user)
