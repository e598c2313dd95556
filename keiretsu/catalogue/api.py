from keiretsu.api.auth import api_view

from . import selectors


@api_view(organisation=False)
def editions(request):
    return {"editions": [selectors.edition_summary(edition) for edition in selectors.editions()]}
