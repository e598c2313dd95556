"""The one way a view reaches an organisation: through the signed-in user's membership."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required

from . import security
from .selectors import membership_for

# The organisation a person used last, remembered in the browser (a signed cookie, a year):
# the first screen after signing in opens on it (supplychain.selectors.first_screen).
LAST_ORGANISATION_COOKIE = "keiretsu_organisation"
LAST_ORGANISATION_SALT = "keiretsu.accounts.last-organisation"
LAST_ORGANISATION_MAX_AGE = 365 * 24 * 3600


def remembered_organisation(request) -> int | None:
    value = request.get_signed_cookie(LAST_ORGANISATION_COOKIE, default=None, salt=LAST_ORGANISATION_SALT)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def remember_organisation(request, response, organisation_id: int):
    if remembered_organisation(request) != organisation_id:
        response.set_signed_cookie(
            LAST_ORGANISATION_COOKIE, str(organisation_id), salt=LAST_ORGANISATION_SALT,
            max_age=LAST_ORGANISATION_MAX_AGE, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def member_view(view):
    """For URLs under /o/<org_id>/: passes the membership; 404 for anyone not a member. A
    member of an organisation that requires a second factor and who has none is sent to set
    one up first (accounts.security)."""

    @login_required
    @wraps(view)
    def wrapped(request, org_id, *args, **kwargs):
        membership = membership_for(request.user, org_id)
        if membership.organisation.require_mfa and not security.session_has_mfa(request):
            from .middleware import mfa_setup_required

            return mfa_setup_required(request, security.mfa_required_reason(request.user))
        request.membership = membership
        response = view(request, membership, *args, **kwargs)
        return remember_organisation(request, response, membership.organisation_id)

    return wrapped
