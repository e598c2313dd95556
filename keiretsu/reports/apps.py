from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "keiretsu.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The trend over the years on the dashboard (assessments/extensions.py).
        from . import contributions  # noqa: F401
