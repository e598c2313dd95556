"""Seed a scratch installation with every kind of data the demos make (processes.Site)."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")
django.setup()

from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
call_command("catalogue", "load", verbosity=0)
for command in (["demo"], ["demo_supplychain"], ["demo_benchmark"]):
    call_command(*command, verbosity=0)
print(json.dumps({"seeded": True}))
