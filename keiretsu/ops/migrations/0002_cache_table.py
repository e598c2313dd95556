"""The database cache's table, when the database is the cache (production without Redis), so
that every way of starting Keiretsu (migrate, then serve, gunicorn, a bench script) finds it.
`keiretsu serve` also runs createcachetable, for a cache configured after the migrations."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("ops", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
