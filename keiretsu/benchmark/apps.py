from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkConfig(AppConfig):
    name = "keiretsu.benchmark"
    label = "benchmark"
    verbose_name = _("Industry benchmark")

    def ready(self):
        from . import checks  # noqa: F401 (registers the settings checks)
