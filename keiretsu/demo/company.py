"""The demo company (`keiretsu demo`): a company with a factory and two production lines, and a
partly answered assessment of each shipped edition, after three fiscal years of submitted ones
(the trend over the years); for the enterprise edition a target and an improvement plan."""

import random

from django.utils import timezone

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, Scope, User
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.lib.fiscal_year import fiscal_year_of

from . import improvement

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "keiretsu-demo"  # noqa: S105 (a published demo account on a local instance)
DEMO_COMPANY = "デモ部品工業株式会社"
ADMIN_EMAIL = "admin@example.com"  # the instance administrator of the demo
DEMO_CORPORATE_NUMBER = with_check_digit("012345678901")


def create_company() -> bool:
    """The demo company, its factory and lines, and partly answered assessments; False if present."""
    if Organisation.objects.filter(corporate_number=DEMO_CORPORATE_NUMBER).exists():
        return False
    user = User.objects.filter(email=DEMO_EMAIL).first() or account_services.user_create(
        email=DEMO_EMAIL, password=DEMO_PASSWORD, name="デモ 太郎", verified=True
    )
    organisation = account_services.organisation_create(
        actor=user,
        name=DEMO_COMPANY,
        corporate_number=DEMO_CORPORATE_NUMBER,
        size_band=Organisation.SizeBand.MEDIUM,
        business_type=Organisation.BusinessType.PARTS,
        tier=Organisation.Tier.TIER2,
    )
    verify_demo(organisation)
    membership = Membership.objects.get(user=user, organisation=organisation)
    factory = account_services.scope_create(membership=membership, actor=user, kind=Scope.Kind.FACTORY, name="本社工場")
    for name in ("第1ライン", "第2ライン"):
        account_services.scope_create(
            membership=membership, actor=user, kind=Scope.Kind.LINE, name=name, parent=factory
        )

    rng = random.Random(2026)
    this_year = fiscal_year_of(timezone.localdate())
    this_years = []
    for edition in Edition.objects.select_related("guideline").order_by("guideline__slug", "code"):
        scope = organisation.company_scope if edition.assessed_per == Edition.AssessedPer.COMPANY else factory
        # Three years submitted (the trend), so that this year's also shows last year's ratings.
        improvement.create_history(membership, scope, edition, this_year, rng)
        this_years.append((scope, edition, _answer(membership, user, scope, edition, this_year, rng, share=0.6)))
    # The plan on the edition with the most levels (METI's ★3/★4, which the benchmark demo covers too).
    with_levels = sorted((e for e in this_years if e[1].level_codes), key=lambda e: -len(e[1].level_codes))
    if with_levels:
        improvement.create_plan(membership, *with_levels[0])
    return True


def create_admin() -> bool:
    """The demo's instance administrator (Django's admin site, catalogue imports); False if present."""
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        return False
    User.objects.create_superuser(ADMIN_EMAIL, DEMO_PASSWORD, name="システム管理者")
    return True


def _answer(membership, user, scope, edition, fiscal_year, rng, *, share) -> Assessment:
    assessment = assessment_services.assessment_create(
        membership=membership, actor=user, scope=scope, edition=edition, fiscal_year=fiscal_year
    )
    scale = edition.rating_scale
    achieved = sorted(scale.achieved)
    others = [s for s in scale.codes if s not in scale.achieved]
    items = list(edition.items.order_by("position"))
    for item in items[: round(len(items) * share)]:
        rating = rng.choice(achieved) if rng.random() < 0.65 else rng.choice(others)
        reason = "予算化を来年度に予定しているため、今年度は見送り。" if scale.needs_reason(rating) else ""
        assessment_services.answer_save(
            membership=membership, actor=user, assessment=assessment, item=item, rating=rating, reason=reason
        )
    return assessment


def verify_demo(organisation):
    """Demo companies are verified for their corporate numbers, so that customers' lists link
    them and the demo shows the cascade (docs/supplychain.md, "Verified identity")."""
    from keiretsu.supplychain.services import organisation_verify

    organisation_verify(
        actor=None,
        organisation=organisation,
        via=Organisation.Verification.ADMINISTRATOR,
        note="Demo data",
    )
    organisation.refresh_from_db()
    return organisation
