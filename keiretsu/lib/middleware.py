from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .refusals import Refusal


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


class RefusalMiddleware:
    """Maps a refusal a view did not handle itself (`lib.refusals.Refusal`) to a page with its
    message and its status: the one place where pages turn refusals into responses. A 403 or
    404 refusal is Django's PermissionDenied or Http404, answered by the 403 and 404 pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal) or isinstance(exception, (Http404, PermissionDenied)):
            return None
        return render(request, "refusal.html", {"refusal": exception}, status=exception.status)
