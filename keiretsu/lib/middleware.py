import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from .refusals import BadInput, Refusal


class LanguageMiddleware:
    """Japanese first: the language is Japanese unless the user chose another one.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the programme's
    working language is Japanese, so only an explicit choice (the language switch, which sets
    the language cookie) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def _has_nul(value) -> bool:
    """Is there a NUL character in this text, or in any key or value of this JSON document?"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _query_dict_has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class RejectNulMiddleware:
    """A NUL character (U+0000) in a query parameter, a form field or a JSON body answers 400.

    No field of Keiretsu accepts it, PostgreSQL cannot store it in text (the request would end
    in a 500 deep inside a view), and it has no business in a person's text: refusing it here,
    once, keeps every view and API endpoint from meeting it. Uploaded files' contents are not
    looked at (their readers refuse what they cannot read). It runs as a view middleware, so the
    bounded upload handler already knows the view's limit when the form body is parsed.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if _query_dict_has_nul(request.GET) or self._body_has_nul(request):
            return self._refusal(request)
        return None

    def _body_has_nul(self, request) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in self.FORM_TYPES:
            return _query_dict_has_nul(request.POST)
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                return _has_nul(json.loads(request.body or b"null"))
            except (ValueError, UnicodeDecodeError):
                return b"\x00" in request.body  # not JSON: the view refuses it, but not with a NUL inside
        return False

    def _refusal(self, request):
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "text must not contain NUL characters (U+0000)"}, status=400)
        refusal = BadInput(
            _("What you sent contains a NUL character (U+0000), which no field accepts. Remove it and try again.")
        )
        return render(request, "refusal.html", {"refusal": refusal}, status=refusal.status)


class PrivacyHeadersMiddleware:
    """Cache-Control: private, no-store on every response to a signed-in person (pages, htmx
    fragments, downloads, the API with a token): a shared proxy or the browser's disk cache
    must not keep a company's assessment. And the Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class RefusalMiddleware:
    """Maps a refusal a view did not handle itself (`lib.refusals.Refusal`) to a page with its
    message and its status: the one place where pages turn refusals into responses. A 403 or
    404 refusal is Django's PermissionDenied or Http404, answered by the 403 and 404 pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and self._product_pages() and getattr(request, "resolver_match", None) is None:
            # No URL matched: Django's debug page, unless the product's own is wanted (the demo).
            return render(request, "404.html", status=404)
        return response

    @staticmethod
    def _product_pages():
        return settings.DEBUG and not settings.DEBUG_ERROR_PAGES

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and self._product_pages():
            return render(request, "404.html", status=404)
        if not isinstance(exception, Refusal) or isinstance(exception, (Http404, PermissionDenied)):
            return None
        return render(request, "refusal.html", {"refusal": exception}, status=exception.status)
