"""`keiretsu benchmark`: industry bodies and releases from the command line.

keiretsu benchmark bodies                      list the industry bodies
keiretsu benchmark body-add 1234567890123     make an organisation (id or corporate number) an industry body
keiretsu benchmark body-remove 1234567890123
keiretsu benchmark recompute ROUND_ID EDITION_ID --as owner@body.example
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from keiretsu.accounts.models import Membership, Organisation
from keiretsu.benchmark import services
from keiretsu.benchmark.models import Round
from keiretsu.lib.refusals import Refusal


class Command(BaseCommand):
    help = "Industry bodies (set by the instance administrator) and benchmark releases."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("bodies", help="List the industry bodies.")
        for name, text in (
            ("body-add", "Make an organisation an industry body."),
            ("body-remove", "Take industry-body status away from an organisation."),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("organisation", help="The organisation's id or its 13-digit corporate number.")
        recompute = actions.add_parser("recompute", help="Compute a round's draft release for one edition.")
        recompute.add_argument("round", type=int, help="The round's id.")
        recompute.add_argument("edition", type=int, help="The edition's id (see `keiretsu catalogue list`).")
        recompute.add_argument("--as", dest="email", required=True, help="E-mail address of an owner of the body.")

    def handle(self, *args, action, **options):
        if action == "bodies":
            bodies = Organisation.objects.filter(is_industry_body=True).order_by("name")
            for body in bodies:
                self.stdout.write(f"{body.pk}\t{body.corporate_number}\t{body.name}")
            if not bodies:
                self.stdout.write("No industry body yet: `keiretsu benchmark body-add ORGANISATION`.")
            return
        if action in ("body-add", "body-remove"):
            organisation = self.organisation(options["organisation"])
            is_body = action == "body-add"
            changed = services.industry_body_set(actor=None, organisation=organisation, is_body=is_body)
            state = "is now an industry body" if is_body else "is no longer an industry body"
            self.stdout.write(f"{organisation.name} {state}." if changed else f"{organisation.name}: unchanged.")
            return
        if action == "recompute":
            self.recompute(options["round"], options["edition"], options["email"])

    def organisation(self, text):
        lookup = Q(corporate_number=text.strip())
        if text.strip().isdigit() and len(text.strip()) < 13:
            lookup |= Q(pk=int(text))
        # Several organisations may claim one number: the verified one, else it must be unique.
        found = list(Organisation.objects.filter(lookup).order_by("verified_at", "pk"))
        verified = [o for o in found if o.is_verified]
        if verified:
            return verified[0]
        if len(found) > 1:
            ids = ", ".join(str(o.pk) for o in found)
            raise CommandError(f"Several unverified organisations claim {text!r} (ids {ids}): give the id.")
        if not found:
            raise CommandError(f"No organisation with id or corporate number {text!r}.")
        return found[0]

    def recompute(self, round_id, edition_id, email):
        round = Round.objects.select_related("body").filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"No round {round_id}.")
        membership = (
            Membership.objects.select_related("organisation", "user")
            .filter(organisation=round.body, user__email=email.strip().lower())
            .first()
        )
        if membership is None:
            raise CommandError(f"{email} is not a member of {round.body.name}.")
        edition = round.editions.filter(pk=edition_id).first()
        if edition is None:
            raise CommandError(f"Round {round_id} does not collect edition {edition_id}.")
        try:
            release = services.release_recompute(
                membership=membership, actor=membership.user, round=round, edition=edition
            )
        except Refusal as exc:
            raise CommandError(exc.message) from None
        n = release.companies
        self.stdout.write(f"Draft release {release.pk} (version {release.version}): {n or 'fewer than k'} submissions.")
