"""`keiretsu identity`: verified company identity from the command line (docs/supplychain.md).

keiretsu identity list 1234567890123                         every registration of a corporate number
keiretsu identity verify ORGANISATION_ID --note "…" --as admin@example.com
                                                            the instance administrator verifies one
"""

from django.core.management.base import BaseCommand, CommandError

from keiretsu.accounts.models import Organisation, User, normalise_email
from keiretsu.lib import corporate_number
from keiretsu.lib.refusals import Refusal
from keiretsu.supplychain import services


class Command(BaseCommand):
    help = "Registrations of corporate numbers, and verifying an organisation for its number."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Every registration of a corporate number.")
        listing.add_argument("number", help="The 13-digit corporate number.")
        verify = actions.add_parser("verify", help="Verify an organisation for its corporate number (audited).")
        verify.add_argument("organisation", type=int, help="The organisation's id (see `identity list`).")
        verify.add_argument("--note", required=True, help="How its identity was checked (kept in the audit log).")
        verify.add_argument("--as", dest="email", required=True, help="E-mail address of a staff account.")

    def handle(self, *args, action, **options):
        if action == "list":
            number = corporate_number.normalise(options["number"])
            rows = Organisation.objects.filter(corporate_number=number).order_by("verified_at", "created_at")
            for o in rows:
                state = f"verified {o.verified_at:%Y-%m-%d} ({o.verified_via})" if o.is_verified else "not verified"
                self.stdout.write(f"{o.pk}\t{o.name}\tregistered {o.created_at:%Y-%m-%d}\t{state}")
            if not rows:
                self.stdout.write(f"Nobody has registered {number}.")
            return
        admin = User.objects.filter(email=normalise_email(options["email"]), is_staff=True, is_active=True).first()
        if admin is None:
            raise CommandError(f"{options['email']} is not an active staff account.")
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['organisation']}.")
        try:
            services.organisation_verify(
                actor=admin,
                organisation=organisation,
                via=Organisation.Verification.ADMINISTRATOR,
                note=options["note"],
            )
        except Refusal as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{organisation.name} is verified for {organisation.corporate_number}.")
