from django.contrib import admin
from django.urls import include, path

from keiretsu.accounts import views as account_views
from keiretsu.api import views as api_views

handler500 = "keiretsu.ops.views.server_error"

urlpatterns = [
    path("", include("keiretsu.ops.urls")),  # /healthz, /readyz
    path("", account_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("keiretsu.api.urls")),
    path("accounts/tokens/", api_views.tokens, name="api_tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", api_views.token_revoke, name="api_token_revoke"),
    path("", include("keiretsu.accounts.urls")),
    path("", include("keiretsu.assessments.urls")),
    path("", include("keiretsu.catalogue.urls")),
    path("", include("keiretsu.supplychain.urls")),
    path("", include("keiretsu.benchmark.urls")),
    path("", include("keiretsu.interchange.urls")),
    path("", include("keiretsu.reports.urls")),
    path("", include("keiretsu.improvement.urls")),
]
