"""The `keiretsu` console command: Django's management commands under the product's name.

    keiretsu catalogue load
    keiretsu catalogue list --json
    keiretsu runserver
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["keiretsu", *sys.argv[1:]])
