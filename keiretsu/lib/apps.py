from django.apps import AppConfig
from django.utils.translation import gettext_noop

# Django 6.1's blank choice in select boxes: Django's own Japanese catalogue does not translate
# it yet, so this app's catalogue does (named here so that makemessages keeps it).
gettext_noop("- Select an option -")


class LibConfig(AppConfig):
    """Plain helpers shared by the apps (no models); an app only so its template tags load."""

    name = "keiretsu.lib"
    label = "lib"
