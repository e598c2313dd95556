from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "keiretsu.improvement"
    label = "improvement"
    verbose_name = _("Improvement plan")

    def ready(self):
        # The gap to target and the actions on the assessment pages (assessments/extensions.py).
        from . import contributions, next_steps  # noqa: F401
