from django.contrib import admin
from django.urls import include, path

from keiretsu.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("keiretsu.api.urls")),
    path("", include("keiretsu.accounts.urls")),
    path("", include("keiretsu.assessments.urls")),
    path("", include("keiretsu.catalogue.urls")),
    path("", include("keiretsu.interchange.urls")),
    path("", include("keiretsu.reports.urls")),
]
