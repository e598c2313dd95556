from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from keiretsu.api import views as api_views
from keiretsu.supplychain import views as supplychain_views

# The administrator signs in through the same flow as everyone (second factor, rate limits).
admin.site.login = secure_admin_login(admin.site.login)

handler500 = "keiretsu.ops.views.server_error"

urlpatterns = [
    path("", include("keiretsu.ops.urls")),  # /healthz, /readyz
    path("", supplychain_views.home, name="home"),  # the first screen: supplychain.selectors.landing
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("keiretsu.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("keiretsu.api.urls")),
    path("accounts/tokens/", api_views.tokens, name="api_tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", api_views.token_revoke, name="api_token_revoke"),
    path("", include("keiretsu.assessments.urls")),
    path("", include("keiretsu.catalogue.urls")),
    path("", include("keiretsu.supplychain.urls")),
    path("", include("keiretsu.benchmark.urls")),
    path("", include("keiretsu.interchange.urls")),
    path("", include("keiretsu.reports.urls")),
]
