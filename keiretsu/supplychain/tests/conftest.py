"""Fixtures of the supply-chain tests (helpers to build scenarios are in scenario.py)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _supply_chain_settings(settings):
    settings.BENCHMARK_MIN_GROUP_SIZE = 5
    settings.REMINDER_DAYS_BEFORE_DUE = [14, 3]
    settings.SITE_URL = "https://keiretsu.example"


@pytest.fixture(autouse=True)
def _english_for_services():
    """Services' messages read in English in assertions; pages are requested in Japanese (the
    default), and the middleware switches per request."""
    with translation.override("en"):
        yield


@pytest.fixture
def priority_edition(catalogue):
    """8 items, every one a priority item, no levels: any item not done makes a weak link."""
    return catalogue["jama-priority-items"]


@pytest.fixture
def meti_edition(catalogue):
    """153 criteria with levels ★3 / ★4."""
    return catalogue["meti-scs"]
