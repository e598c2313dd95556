from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running Keiretsu in production: server and worker, health checks, request logs, backups."""

    name = "keiretsu.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from .requestlog import install_record_factory

        install_record_factory()
