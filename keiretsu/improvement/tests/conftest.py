"""Fixtures of the improvement tests: Alpha's company against METI's scheme (levels ★3, ★4)."""

import pytest

from keiretsu.assessments import services as assessment_services
from keiretsu.conftest import membership_of
from keiretsu.interchange.tests.conftest import *  # noqa: F403  (owner, enterprise, answer, _japanese)
from keiretsu.interchange.tests.conftest import FY, answer  # noqa: F401


@pytest.fixture
def assessor(alpha, bob):
    return membership_of(bob, alpha)


@pytest.fixture
def viewer(alpha, vera):
    return membership_of(vera, alpha)


@pytest.fixture
def meti(catalogue):
    return catalogue["meti-scs"]


@pytest.fixture
def meti_assessment(meti, owner, alpha):
    """FY2025, METI: ★3 items 1-81 by position, ★4 the rest. Two ★3 items achieved."""
    assessment = assessment_services.assessment_create(
        membership=owner, actor=owner.user, scope=alpha.company_scope, edition=meti, fiscal_year=FY
    )
    for item in meti.items.filter(level="★3").order_by("position")[:2]:
        answer(owner, assessment, item.number, "○")
    return assessment
