"""The demo shows the improvement cycle (issue 11): three submitted years before this one (the
trend), a target, an action in every status (one overdue), an evidence file."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from keiretsu.accounts.models import Organisation
from keiretsu.assessments.models import Assessment
from keiretsu.demo.company import DEMO_CORPORATE_NUMBER
from keiretsu.improvement.models import Action, Evidence, Target
from keiretsu.lib.fiscal_year import fiscal_year_of
from keiretsu.reports import trend

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_a_trend_a_target_a_plan_and_evidence():
    call_command("demo", verbosity=0)
    company = Organisation.objects.get(corporate_number=DEMO_CORPORATE_NUMBER)
    this_year = fiscal_year_of(timezone.localdate())
    trends = trend.trends(company)
    assert trends and all(t.years == [this_year - 3, this_year - 2, this_year - 1] for t in trends)
    # Every edition's assessment of this year is still in progress.
    assert set(
        Assessment.objects.filter(organisation=company, fiscal_year=this_year).values_list("status", flat=True)
    ) == {Assessment.Status.DRAFT}
    assert Target.objects.filter(organisation=company).count() == 1
    actions = Action.objects.filter(organisation=company)
    assert set(actions.values_list("status", flat=True)) == set(Action.Status.values)
    assert any(action.is_overdue(timezone.localdate()) for action in actions)
    assert Evidence.objects.filter(organisation=company, deleted_at=None).count() == 1
