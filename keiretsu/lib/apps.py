from django.apps import AppConfig


class LibConfig(AppConfig):
    """Plain helpers shared by the apps (no models); an app only so its template tags load."""

    name = "keiretsu.lib"
    label = "lib"
