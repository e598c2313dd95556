from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .requestlog import current_request_id


@never_cache
@require_GET
def healthz(request):
    """The process answers: nothing else is checked (liveness)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Database, migrations, cache and worker: 503 with the failed check when one fails."""
    ready, body = health.readiness()
    return JsonResponse(body, status=200 if ready else 503)


def server_error(request):
    """The 500 page, with the request id a user can quote (no template context processors:
    the page must render even when what broke is the database or the session)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))
