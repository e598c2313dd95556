"""One log line per request, with a request id that every log line of the request carries.

The id comes from the proxy (REQUEST_ID_HEADER, e.g. nginx's $request_id) when it looks like
one, otherwise it is made here; it is sent back in the X-Request-ID header and shown on the
500 page so that a user can quote it. LOG_FORMAT=json writes JSON lines.
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid

from django.conf import settings
from django.utils.functional import empty

request_id_var = contextvars.ContextVar("request_id", default="-")
logger = logging.getLogger("keiretsu.request")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The fields of a request line, in this order; JSON lines carry them as keys.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "organisation_id")


def current_request_id() -> str:
    return request_id_var.get()


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "HTTP_" + settings.REQUEST_ID_HEADER.upper().replace("-", "_")

    def __call__(self, request):
        given = request.META.get(self.header, "")
        request.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request.request_id
            fields = {
                "method": request.method,
                "path": request.path,  # never the query string: it may carry search terms or tokens
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": _user_id(request),
                "organisation_id": getattr(getattr(request, "membership", None), "organisation_id", None),
            }
            level = logging.ERROR if response.status_code >= 500 else logging.INFO
            logger.log(level, "%(method)s %(path)s %(status)s %(duration_ms)sms", fields, extra={"http": fields})
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request):
    user = getattr(request, "user", None)
    # AuthenticationMiddleware's user is lazy: do not look it up just to log it.
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def install_record_factory():
    """Every log record gets the request id current where it was made (whatever handler or
    formatter later writes it); called once, from the app's ready()."""
    make = logging.getLogRecordFactory()
    if getattr(make, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = make(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


class RequestIdFilter(logging.Filter):
    """Adds the current request id (or "-") to every record, for both formats."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonLinesFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        http = getattr(record, "http", None)
        if http:
            line.update(http)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, ensure_ascii=False, default=str)
