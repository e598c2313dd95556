"""Demo supply chain around the demo company, so that no supply-chain screen is empty.

    keiretsu demo_supplychain

An OEM (デモ自動車) asks its three Tier-1 for the priority items and asks them to pass the
request on; one Tier-1 (デモ電装) did so to six suppliers, among them the demo company
(デモ部品工業, whose request waits in its inbox). Five of those answered and shared with
デモ電装, two also with the OEM directly. The demo user owns the OEM as well, to see the tree.
"""

import datetime
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, User
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition
from keiretsu.demo.company import DEMO_CORPORATE_NUMBER, DEMO_EMAIL, DEMO_PASSWORD, verify_demo
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.lib.fiscal_year import fiscal_year_of
from keiretsu.supplychain import services
from keiretsu.supplychain.models import AssessmentRequest, Criticality, Supplier

OEM = ("デモ自動車株式会社", "012345670001", Organisation.Tier.OEM)
TIER1 = [
    ("デモ電装株式会社", "012345670002"),
    ("デモ化成株式会社", "012345670003"),
    ("デモ鋼業株式会社", "012345670004"),
]
TIER2 = [
    # name, base, what it does: share (not done items) / share+oem / decline / pending / invited
    ("東海精密株式会社", "012345670011", ("share", 0)),
    ("三河プレス工業株式会社", "012345670012", ("share+oem", 2)),
    ("浜名湖ダイカスト株式会社", "012345670013", ("share", 1)),
    ("岡崎樹脂株式会社", "012345670014", ("share+oem", 0)),
    ("豊川電子株式会社", "012345670015", ("share", 3)),
    ("尾張金属株式会社", "012345670016", ("decline", 0)),
]


class Command(BaseCommand):
    help = "Create a demo supply chain around the demo company (idempotent; runs `keiretsu demo` first)."

    def handle(self, *args, **options):
        call_command("demo", verbosity=0)
        with transaction.atomic():
            created = self.create()
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS("Demo supply chain " + ("created." if created else "already present.")))
        self.stdout.write(f"  Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}: switch to {OEM[0]} to see the supply tree.")

    def company(self, name, base, tier, email=None, owner=None):
        owner = owner or account_services.user_create(
            email=email, password=DEMO_PASSWORD, name=f"{name[:2]} 担当", verified=True
        )
        organisation = account_services.organisation_create(
            actor=owner,
            name=name,
            corporate_number=with_check_digit(base),
            size_band=Organisation.SizeBand.MEDIUM,
            business_type=Organisation.BusinessType.PARTS if tier else Organisation.BusinessType.VEHICLE_MAKER,
            tier=tier,
        )
        return verify_demo(organisation), owner

    def create(self) -> bool:
        if Organisation.objects.filter(corporate_number=with_check_digit(OEM[1]), verified_at__isnull=False).exists():
            return False
        demo_user = User.objects.get(email=DEMO_EMAIL)
        demo_company = Organisation.objects.get(corporate_number=DEMO_CORPORATE_NUMBER, verified_at__isnull=False)
        edition = Edition.objects.get(guideline__slug="jama-priority-items")
        today = timezone.localdate()
        year = fiscal_year_of(today)
        rng = random.Random(2026)

        oem, _ = self.company(OEM[0], OEM[1], OEM[2], owner=demo_user)
        oem_m = Membership.objects.get(user=demo_user, organisation=oem)
        tier1 = []
        for i, (name, base) in enumerate(TIER1):
            org, owner = self.company(name, base, Organisation.Tier.TIER1, email=f"tier1-{i}@demo.example")
            tier1.append((org, owner))
            services.supplier_add(
                membership=oem_m,
                actor=demo_user,
                name=name,
                corporate_number=org.corporate_number,
                contact_email=owner.email,
                criticality=[Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW][i],
            )
        services.requests_send(
            membership=oem_m,
            actor=demo_user,
            suppliers=list(Supplier.objects.filter(customer=oem)),
            editions=[edition],
            fiscal_year=year,
            due_date=today + datetime.timedelta(days=45),
            message="年度内の回答をお願いします。",
            today=today,
            language="ja",
        )
        denso, denso_owner = tier1[0]
        denso_m = Membership.objects.get(user=denso_owner, organisation=denso)
        services.request_accept(membership=denso_m, actor=denso_owner, request=self.inbox(denso, oem))
        for org, owner in tier1[1:2]:
            membership = Membership.objects.get(user=owner, organisation=org)
            services.request_accept(membership=membership, actor=owner, request=self.inbox(org, oem))

        services.supplier_add(
            membership=denso_m,
            actor=denso_owner,
            name=demo_company.name,
            corporate_number=demo_company.corporate_number,
            contact_email=DEMO_EMAIL,
            criticality=Criticality.HIGH,
        )
        tier2 = []
        for i, (name, base, plan) in enumerate(TIER2):
            org, owner = self.company(name, base, Organisation.Tier.TIER2, email=f"tier2-{i}@demo.example")
            tier2.append((org, owner, plan))
            services.supplier_add(
                membership=denso_m,
                actor=denso_owner,
                name=name,
                corporate_number=org.corporate_number,
                contact_email=owner.email,
                criticality=rng.choice(list(Criticality)),
            )
        services.supplier_add(
            membership=denso_m,
            actor=denso_owner,
            name="遠州工機株式会社",
            corporate_number=with_check_digit("012345670019"),
            contact_email="contact@enshu.example",
            criticality=Criticality.LOW,
        )
        services.requests_pass_on(
            membership=denso_m,
            actor=denso_owner,
            parents=[self.inbox(denso, oem)],
            suppliers=None,
            due_date=today + datetime.timedelta(days=30),
            message="自動車メーカーからの依頼を展開します。",
            today=today,
        )
        for org, owner, (plan, not_done) in tier2:
            membership = Membership.objects.get(user=owner, organisation=org)
            request = self.inbox(org, denso)
            if plan == "decline":
                services.request_decline(
                    membership=membership, actor=owner, request=request, reason="今年度で取引を終了する予定のため。"
                )
                continue
            services.request_accept(membership=membership, actor=owner, request=request)
            assessment = Assessment.objects.get(organisation=org, edition=edition, fiscal_year=year)
            items = list(edition.items.order_by("position"))
            for index, item in enumerate(items):
                assessment_services.answer_save(
                    membership=membership,
                    actor=owner,
                    assessment=assessment,
                    item=item,
                    rating="×" if index < not_done else "○",
                )
            assessment = assessment_services.assessment_submit(
                membership=membership, actor=owner, assessment=assessment
            )
            recipients = [denso, oem] if plan == "share+oem" else [denso]
            services.share_create(
                membership=membership,
                actor=owner,
                request=request,
                assessment=assessment,
                detail="full" if plan == "share+oem" else "summary",
                recipients=recipients,
            )
        # The demo company's own list: two suppliers, one of them not on Keiretsu yet.
        demo_m = Membership.objects.get(user=demo_user, organisation=demo_company)
        services.supplier_add(
            membership=demo_m,
            actor=demo_user,
            name=TIER2[0][0],
            corporate_number=with_check_digit(TIER2[0][1]),
            contact_email="tier2-0@demo.example",
            criticality=Criticality.HIGH,
        )
        services.supplier_add(
            membership=demo_m,
            actor=demo_user,
            name="湖西ねじ製作所",
            corporate_number=with_check_digit("012345670021"),
            contact_email="info@kosai-neji.example",
            criticality=Criticality.MEDIUM,
            note="ねじ・締結部品",
        )
        return True

    @staticmethod
    def inbox(org, customer):
        return AssessmentRequest.objects.get(supplier__organisation=org, requester=customer, is_current=True)
