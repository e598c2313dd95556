"""Fixtures of the benchmark tests: a small hand-made edition, an industry body, companies.

The mini edition has 6 items so that every figure can be computed by hand:
    section A: items 1 (Lv1, priority), 2 (Lv1, priority), 3 (Lv2)
    section B: items 4 (Lv1), 5 (Lv2), 6 (Lv2)
scale: ○ achieved, × not achieved, － not applicable.
"""

import datetime
import itertools

import pytest
from django.utils import timezone, translation

from keiretsu.accounts.models import Membership, Organisation, Role
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.benchmark import services
from keiretsu.catalogue.loader import EditionSpec, ItemSpec, SectionSpec
from keiretsu.catalogue.services import edition_load
from keiretsu.conftest import make_organisation, make_user
from keiretsu.lib.fiscal_year import fiscal_year_of

FY = fiscal_year_of(timezone.localdate())

MINI_ITEMS = [  # number, section, level, priority
    ("1", "A", "Lv1", True),
    ("2", "A", "Lv1", True),
    ("3", "A", "Lv2", False),
    ("4", "B", "Lv1", False),
    ("5", "B", "Lv2", False),
    ("6", "B", "Lv2", False),
]


@pytest.fixture(autouse=True)
def _english_for_services():
    """Services' messages read in English in assertions, whatever ran before (the language of a
    test's thread is otherwise left by the previous test); pages are requested in Japanese (the
    default), and the middleware switches per request."""
    with translation.override("en"):
        yield


def mini_spec(code="1.0") -> EditionSpec:
    return EditionSpec(
        guideline={"id": "mini", "title": "ミニ・ガイドライン", "title_en": "Mini guideline", "publisher": "Test"},
        edition={
            "id": code,
            "title": f"ミニ版 {code}",
            "title_en": f"Mini {code}",
            "published": None,
            "assessed_per": "company",
            "source": "",
            "attributes": [],
        },
        scale={
            "symbols": [
                {"symbol": "○", "label": "達成"},
                {"symbol": "×", "label": "未達成"},
                {"symbol": "－", "label": "対象外"},
            ],
            "achieved": ["○"],
            "examined": ["○"],
            "not_applicable": ["－"],
            "requires_reason": [],
        },
        levels=[
            {"code": "Lv1", "title": "レベル1", "title_en": "Level 1"},
            {"code": "Lv2", "title": "レベル2", "title_en": "Level 2"},
        ],
        sections=[
            SectionSpec("A", "管理", "Management", "", None, 1),
            SectionSpec("B", "技術", "Technical", "", None, 2),
        ],
        items=[
            ItemSpec(number, section, position, level, {"title": f"項目{number}の対策"}, priority, [], {})
            for position, (number, section, level, priority) in enumerate(MINI_ITEMS, start=1)
        ],
        content_hash=f"mini-{code}",
        file_name="mini.yaml",
    )


@pytest.fixture
def mini(db):
    return edition_load(spec=mini_spec()).edition


@pytest.fixture
def iris(db):
    return make_user("iris@jama.example", "Iris")


@pytest.fixture
def body(iris):
    organisation = make_organisation(
        iris,
        "一般社団法人 テスト自動車工業会",
        "900000000009",
        size_band=Organisation.SizeBand.LARGE,
        business_type=Organisation.BusinessType.OTHER,
        tier=Organisation.Tier.OEM,
    )
    services.industry_body_set(actor=None, organisation=organisation, is_body=True)
    organisation.refresh_from_db()
    return organisation


def owner_membership(organisation):
    return Membership.objects.select_related("organisation", "user").get(organisation=organisation, role=Role.OWNER)


@pytest.fixture
def body_membership(body):
    return owner_membership(body)


@pytest.fixture
def round_(body, body_membership, mini):
    return services.round_open(
        membership=body_membership,
        actor=body_membership.user,
        fiscal_year=FY,
        editions=[mini],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


_numbers = itertools.count(300000000001)


def make_company(name, *, tier=1, size="medium", business_type="parts"):
    owner = make_user(f"owner{next(_numbers)}@{name.lower().replace(' ', '-')}.example", name)
    return make_organisation(owner, name, str(next(_numbers)), tier=tier, size_band=size, business_type=business_type)


def submitted_assessment(organisation, edition, ratings: str, *, fiscal_year=FY):
    """An assessment of the company scope, answered with `ratings` in item order, submitted."""
    membership = owner_membership(organisation)
    assessment = assessment_services.assessment_create(
        membership=membership,
        actor=membership.user,
        scope=organisation.company_scope,
        edition=edition,
        fiscal_year=fiscal_year,
    )
    items = list(edition.items.order_by("position"))
    assert len(ratings) == len(items)
    Answer.objects.bulk_create(
        [Answer(assessment=assessment, item=item, rating=rating) for item, rating in zip(items, ratings, strict=True)]
    )
    return assessment_services.assessment_submit(membership=membership, actor=membership.user, assessment=assessment)


def send(organisation, round_, assessment):
    membership = owner_membership(organisation)
    return services.submission_create(
        membership=membership, actor=membership.user, round=round_, assessment=assessment, consent=True
    )


def company_with_submission(name, round_, edition, ratings, **segment):
    organisation = make_company(name, **segment)
    assessment = submitted_assessment(organisation, edition, ratings)
    return organisation, assessment, send(organisation, round_, assessment)


def recompute(body_membership, round_, edition):
    return services.release_recompute(
        membership=body_membership, actor=body_membership.user, round=round_, edition=edition
    )


def publish(body_membership, release):
    return services.release_publish(membership=body_membership, actor=body_membership.user, release=release)
