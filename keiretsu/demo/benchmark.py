"""Demo data for the benchmark (`keiretsu demo_benchmark`), so that no benchmark screen is empty.

An industry body with 40 member companies that sent METI ★3/★4 self-assessments last year and
this year; last year's release is published, this year's too; some segments are small, so the
pages show suppressed cells. If the foundation's demo company exists (`keiretsu demo`), it gets
a submitted assessment for last year, counted in last year's release; its assessment of this
year stays in progress, to be compared with this year's release.
"""

import datetime
import math
import random

from django.db import transaction
from django.utils import timezone

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, User
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.benchmark import services
from keiretsu.benchmark.models import Round
from keiretsu.catalogue.models import Edition
from keiretsu.catalogue.services import catalogue_load_files
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.lib.fiscal_year import fiscal_year_of

from .company import DEMO_CORPORATE_NUMBER, verify_demo

BODY_EMAIL = "body@example.com"
BODY_PASSWORD = "keiretsu-demo"  # noqa: S105 (a published demo account on a local instance)
BODY_NAME = "一般社団法人 デモ自動車部品工業会"
BODY_NUMBER = with_check_digit("077777777777")
SEGMENTS = [  # (count, tier, size band, business type, maturity)
    (4, 0, "large", "vehicle_maker", 1.4),
    (9, 1, "large", "parts", 0.9),
    (7, 1, "medium", "parts", 0.4),
    (10, 2, "medium", "parts", 0.0),
    (6, 2, "small", "materials", -0.5),
    (3, 3, "small", "equipment", -0.8),
    (1, 4, "small", "logistics", -1.0),
]


def create_demo() -> list[str]:
    catalogue_load_files()
    if Organisation.objects.filter(corporate_number=BODY_NUMBER).exists():
        return ["Benchmark demo data already present."]
    edition = Edition.objects.get(guideline__slug="meti-scs")
    this_year = fiscal_year_of(timezone.localdate())
    rng = random.Random(2026)
    with transaction.atomic():
        user = User.objects.filter(email=BODY_EMAIL).first() or account_services.user_create(
            email=BODY_EMAIL, password=BODY_PASSWORD, name="業界団体 事務局", verified=True
        )
        body = account_services.organisation_create(
            actor=user,
            name=BODY_NAME,
            corporate_number=BODY_NUMBER,
            size_band="medium",
            business_type="other",
            tier=0,
        )
        services.industry_body_set(actor=None, organisation=body, is_body=True)
        verify_demo(body)
        membership = Membership.objects.select_related("organisation").get(organisation=body, user=user)
        rounds = {}
        for year in (this_year - 1, this_year):
            rounds[year] = Round.objects.create(
                body=body,
                fiscal_year=year,
                deadline=timezone.localdate() + datetime.timedelta(days=60),
                created_by=user,
            )
            rounds[year].editions.set([edition])
        companies = []
        number = 0
        for count, tier, size, kind, maturity in SEGMENTS:
            for _ in range(count):
                number += 1
                owner = account_services.user_create(
                    email=f"demo{number:02d}@supplier.example", password=BODY_PASSWORD, verified=True
                )
                organisation = account_services.organisation_create(
                    actor=owner,
                    name=f"デモ取引先 {number:02d} 株式会社",
                    corporate_number=with_check_digit(f"0666{number:08d}"),
                    size_band=size,
                    business_type=kind,
                    tier=tier,
                )
                companies.append((organisation, maturity + rng.gauss(0, 0.6)))
        # The foundation's demo company (if any) sent last year's assessment; this year's stays in progress.
        demo_company = Organisation.objects.filter(corporate_number=DEMO_CORPORATE_NUMBER, verified_at__isnull=False).first()
        items = list(edition.items.order_by("position"))
        difficulty = {item.pk: (-0.8 if item.level == "★3" else 0.7) + rng.gauss(0, 0.7) for item in items}
        for year in (this_year - 1, this_year):
            senders = companies + ([(demo_company, -0.2)] if demo_company and year < this_year else [])
            for organisation, maturity in senders:
                growth = 0.35 if year == this_year else 0.0
                assessment = _submitted(organisation, edition, year, items, difficulty, maturity + growth, rng)
                if assessment is not None:
                    owner = (
                        Membership.objects.select_related("organisation")
                        .filter(organisation=organisation, role="owner")
                        .first()
                    )
                    services.submission_create(
                        membership=owner, actor=owner.user, round=rounds[year], assessment=assessment, consent=True
                    )
            release = services.release_recompute(membership=membership, actor=user, round=rounds[year], edition=edition)
            services.release_publish(membership=membership, actor=user, release=release)
        # Last year's round is over.
        Round.objects.filter(pk=rounds[this_year - 1].pk).update(deadline=datetime.date(this_year, 1, 31))
    return [
        f"Benchmark demo data created: {BODY_NAME}, {len(companies)} companies, "
        f"releases for FY{this_year - 1} and FY{this_year}.",
        f"  Industry body: sign in as {BODY_EMAIL} with password {BODY_PASSWORD}",
    ]


def _submitted(organisation, edition, year, items, difficulty, maturity, rng):
    owner = Membership.objects.select_related("organisation").filter(organisation=organisation, role="owner").first()
    scope = organisation.company_scope
    existing = Assessment.objects.filter(scope=scope, edition=edition, fiscal_year=year).order_by("-revision").first()
    if existing is not None and existing.is_frozen:
        return existing
    if existing is None:
        existing = assessment_services.assessment_create(
            membership=owner, actor=owner.user, scope=scope, edition=edition, fiscal_year=year
        )
    answered = dict(Answer.objects.filter(assessment=existing).values_list("item_id", "rating"))
    missing = []
    for item in items:
        if answered.get(item.pk):
            continue
        if rng.random() < 0.03:
            rating = "－"
        else:
            rating = "○" if rng.random() < 1 / (1 + math.exp(difficulty[item.pk] - 1.5 * maturity)) else "×"
        missing.append(Answer(assessment=existing, item=item, rating=rating, updated_by=owner.user))
    Answer.objects.bulk_create(
        missing, update_conflicts=True, unique_fields=["assessment", "item"], update_fields=["rating"]
    )
    return assessment_services.assessment_submit(membership=owner, actor=owner.user, assessment=existing)
