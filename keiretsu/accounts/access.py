"""The one way a view reaches an organisation: through the signed-in user's membership."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from .selectors import membership_for


def member_view(view):
    """For URLs under /o/<org_id>/: passes the membership; 404 for anyone not a member."""

    @login_required
    @wraps(view)
    def wrapped(request, org_id, *args, **kwargs):
        membership = membership_for(request.user, org_id)
        request.membership = membership
        if request.session.get("organisation_id") != membership.organisation_id:
            request.session["organisation_id"] = membership.organisation_id
        return view(request, membership, *args, **kwargs)

    return wrapped
