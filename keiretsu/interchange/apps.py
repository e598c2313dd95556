from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "keiretsu.interchange"
    label = "interchange"
    verbose_name = _("Excel checksheets and CSV")
