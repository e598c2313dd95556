from .selectors import memberships_of


def navigation(request):
    """The organisation switcher and the acting membership, for the page header."""
    if not request.user.is_authenticated:
        return {}
    return {
        "membership": getattr(request, "membership", None),
        "user_memberships": memberships_of(request.user),
    }
