from keiretsu.api.auth import api_view

from . import selectors


@api_view(organisation=False)
def editions(request):
    visible = selectors.editions(selectors.user_organisation_ids(request.user))
    return {"editions": [selectors.edition_summary(edition) for edition in visible]}
