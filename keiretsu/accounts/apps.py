from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "keiretsu.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self):
        from . import signals

        signals.connect()
