"""`keiretsu demo_benchmark`: an industry body with two years of published releases."""

from django.core.management.base import BaseCommand

from keiretsu.demo.benchmark import create_demo


class Command(BaseCommand):
    help = "Demo data: an industry body, 40 companies, last year's and this year's releases (idempotent)."

    def handle(self, *args, **options):
        lines = create_demo()
        if options["verbosity"] >= 1:
            for line in lines:
                self.stdout.write(line)
