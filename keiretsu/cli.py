"""The `keiretsu` console command: Django's management commands under the product's name.

    keiretsu catalogue load
    keiretsu catalogue list --json
    keiretsu serve                 # production: gunicorn and the task worker (DEBUG off)
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")
    if sys.argv[1:2] == ["serve"]:
        from keiretsu.ops import production

        os.environ.setdefault("DEBUG", "false")  # serve means production unless DEBUG says otherwise
        if missing := production.missing_settings(os.environ):
            sys.stderr.write(production.refusal(missing) + "\n")
            sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["keiretsu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
