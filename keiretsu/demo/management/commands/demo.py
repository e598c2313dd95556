"""`keiretsu demo`: demo data, so that no screen is empty on a fresh instance."""

from django.core.management.base import BaseCommand
from django.db import transaction

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import User
from keiretsu.catalogue.services import catalogue_load_files
from keiretsu.demo.benchmark import BODY_EMAIL
from keiretsu.demo.company import ADMIN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD, create_admin, create_company


class Command(BaseCommand):
    help = "Create a demo company, factory, lines, user, an administrator and partly answered assessments (idempotent)."

    def handle(self, *args, **options):
        catalogue_load_files()
        with transaction.atomic():
            created = create_company()
            create_admin()
            # Demo accounts sign in at once (also those of an instance from before verification).
            for user in User.objects.filter(email__in=[DEMO_EMAIL, BODY_EMAIL, ADMIN_EMAIL]):
                account_services.email_mark_verified(user=user)
        if options["verbosity"] < 1:
            return
        state = "created" if created else "already present"
        self.stdout.write(self.style.SUCCESS(f"Demo data {state}."))
        self.stdout.write(
            f"  Sign in as {DEMO_EMAIL} with password {DEMO_PASSWORD}"
            " (address verified; two-factor authentication can be added under アカウントとセキュリティ)"
        )
