from django.apps import AppConfig


class SupplychainConfig(AppConfig):
    """Requests down the supplier tiers, consent-based sharing, the supply tree, reminders."""

    name = "keiretsu.supplychain"
    label = "supplychain"
    verbose_name = "Supply chain"
