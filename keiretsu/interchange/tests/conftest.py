"""Fixtures for the interchange and reports tests: assessments with answers, the enterprise
edition imported from a generated official checksheet."""

import pytest
from django.utils import translation

from keiretsu.assessments import services as assessment_services
from keiretsu.catalogue.models import Edition
from keiretsu.catalogue.services import edition_load
from keiretsu.conftest import membership_of
from keiretsu.interchange import official

from . import samples

FY = 2025


@pytest.fixture(autouse=True)
def _japanese():
    # The application's language; tests that need English switch explicitly.
    with translation.override("ja"):
        yield


def answer(membership, assessment, number, rating, reason="", comment=""):
    item = assessment.edition.items.get(number=number)
    return assessment_services.answer_save(
        membership=membership, actor=membership.user, assessment=assessment, item=item,
        rating=rating, reason=reason, comment=comment,
    )


@pytest.fixture
def owner(alpha, alice):
    return membership_of(alice, alpha)


@pytest.fixture
def factory_assessment(catalogue, owner, alpha_factory):
    """Alpha's Hamamatsu factory against the factory edition (63 items, ○ □ △ × －), FY2025, partly answered."""
    assessment = assessment_services.assessment_create(
        membership=owner, actor=owner.user, scope=alpha_factory, edition=catalogue["jama-factory"], fiscal_year=FY
    )
    answer(owner, assessment, "1", "○", comment="体制図を2025年4月に改訂")
    answer(owner, assessment, "2", "□", reason="来年度予算で対応予定")
    answer(owner, assessment, "3", "×")
    answer(owner, assessment, "4", "－")
    answer(owner, assessment, "5", "△", comment="=HYPERLINK(\"http://evil.example\",\"click\")")
    return assessment


@pytest.fixture
def enterprise(catalogue) -> Edition:
    """The enterprise edition 2.3, imported from a generated official checksheet (153 items)."""
    with translation.override("ja"):
        preview = official.read_official_checksheet(
            samples.official_checksheet("plain"), file_name="checksheet-v2.3.xlsx", guideline="jama-enterprise", edition="2.3"
        )
    assert not preview.problems, preview.problems
    return edition_load(spec=preview.spec).edition


@pytest.fixture
def enterprise_assessment(enterprise, owner, alpha):
    return assessment_services.assessment_create(
        membership=owner, actor=owner.user, scope=alpha.company_scope, edition=enterprise, fiscal_year=FY
    )
