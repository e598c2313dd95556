"""A URL that fails, for the 500 page test."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("something broke")


handler500 = "keiretsu.ops.views.server_error"
urlpatterns = [path("boom", boom), path("", include("keiretsu.urls"))]
