"""The one way a view reaches an organisation: through the signed-in user's membership."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from . import security
from .selectors import membership_for


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
        if request.session.get("organisation_id") != membership.organisation_id:
            request.session["organisation_id"] = membership.organisation_id
        return view(request, membership, *args, **kwargs)

    return wrapped
