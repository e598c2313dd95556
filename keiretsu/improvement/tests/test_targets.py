"""Target level per organisation and edition, and the gap to it on every page."""

import datetime

import pytest
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Organisation
from keiretsu.conftest import client_for
from keiretsu.improvement import selectors, services
from keiretsu.improvement.models import ImprovementEvent, Target
from keiretsu.lib.refusals import NotAllowed

pytestmark = pytest.mark.django_db

STAR3_ITEMS = 81


def test_the_default_target_is_the_programmes_with_the_end_of_the_fiscal_year(owner, meti, enterprise):
    found = selectors.targets_for(owner, [meti, enterprise])
    assert found[meti.pk].level == "★3" and found[meti.pk].is_default
    assert found[enterprise.pk].level == "Lv2"  # Alpha is a medium-sized Tier-1 parts maker
    today = datetime.date.today()
    year = today.year if today.month >= 4 else today.year - 1
    assert found[meti.pk].target_date == datetime.date(year + 1, 3, 31)


def test_a_large_tier1_aims_at_lv3(owner, enterprise, alpha):
    Organisation.objects.filter(pk=alpha.pk).update(size_band=Organisation.SizeBand.LARGE)
    owner.organisation.refresh_from_db()
    assert selectors.targets_for(owner, [enterprise])[enterprise.pk].level == "Lv3"


def test_the_owner_changes_the_target_and_it_is_audited(owner, meti, alice):
    services.target_set(membership=owner, actor=alice, edition=meti, level="★4", target_date=datetime.date(2026, 9, 30))
    target = selectors.target_for(owner, meti)
    assert (target.level, target.target_date, target.is_default) == ("★4", datetime.date(2026, 9, 30), False)
    event = AuditEvent.objects.get(event=ImprovementEvent.TARGET_SET)
    assert event.before is None and event.after == {"level": "★4", "target_date": "2026-09-30"}


@pytest.mark.parametrize("role", ["assessor", "viewer"])
def test_only_an_owner_changes_the_target(request, role, meti):
    membership = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        services.target_set(membership=membership, actor=membership.user, edition=meti, level="★4",
                            target_date=datetime.date(2026, 9, 30))
    assert not Target.objects.exists() and not AuditEvent.objects.filter(event=ImprovementEvent.TARGET_SET).exists()


def test_a_level_the_edition_does_not_have_is_refused(owner, meti, catalogue, alice):
    with pytest.raises(services.InvalidPlan, match="Lv2"):
        services.target_set(membership=owner, actor=alice, edition=meti, level="Lv2", target_date=datetime.date(2026, 9, 30))
    with pytest.raises(services.InvalidPlan):
        services.target_set(membership=owner, actor=alice, edition=catalogue["jama-factory"], level="Lv1",
                            target_date=datetime.date(2026, 9, 30))
    assert not Target.objects.exists()


def test_the_gap_lists_every_star3_item_not_yet_achieved(owner, meti_assessment):
    from keiretsu.assessments.selectors import assessment_scores

    gap = selectors.gap_of(assessment_scores(meti_assessment), selectors.target_for(owner, meti_assessment.edition))
    assert gap.target == "★3" and gap.total == STAR3_ITEMS - 2
    assert gap.count("★3") == STAR3_ITEMS - 2


def test_dashboard_checklist_and_pdf_html_show_the_gap(owner, meti_assessment, alice):
    client = client_for(alice)
    org = owner.organisation_id
    page = client.get(reverse("assessments:dashboard", args=[org])).content.decode()
    assert "目標：★3" in page and f"残り {STAR3_ITEMS - 2} 項目" in page
    page = client.get(reverse("assessments:detail", args=[org, meti_assessment.pk])).content.decode()
    assert "目標：★3" in page and f"残り {STAR3_ITEMS - 2} 項目" in page
    # Answering updates the scoreboard's gap at once.
    item = meti_assessment.edition.items.filter(level="★3").order_by("position")[2]
    page = client.post(reverse("assessments:answer", args=[org, meti_assessment.pk, item.pk]), {"rating": "○"},
                       headers={"HX-Request": "true"}).content.decode()
    assert f"残り {STAR3_ITEMS - 3} 項目" in page


def test_the_management_report_names_the_target_and_the_gap(owner, meti_assessment, alice):
    from keiretsu.reports import selectors as report_selectors

    report = report_selectors.management_report(meti_assessment)
    assert report.target.level == "★3" and report.gap.total == STAR3_ITEMS - 2


def test_target_page_lets_the_owner_change_it_and_refuses_bad_input(owner, meti, alice, bob):
    url = reverse("improvement:targets", args=[owner.organisation_id])
    response = client_for(alice).post(url, {"edition": meti.pk, "level": "★4", "target_date": "2026-12-31"})
    assert response.status_code == 302
    assert Target.objects.get().level == "★4"
    response = client_for(alice).post(url, {"edition": meti.pk, "level": "★9", "target_date": "2026-12-31"}, follow=True)
    assert "★9" in response.content.decode() and Target.objects.get().level == "★4"
    assert client_for(bob).post(url, {"edition": meti.pk, "level": "★3", "target_date": "2026-12-31"}).status_code == 403
    assert Target.objects.get().level == "★4"
    page = client_for(bob).get(reverse("improvement:targets", args=[owner.organisation_id])).content.decode()
    assert "★4" in page and "2026-12-31" in page


def test_another_organisations_target_page_answers_404(owner, beta, mallory, meti):
    assert client_for(mallory).get(reverse("improvement:targets", args=[owner.organisation_id])).status_code == 404
    url = reverse("improvement:targets", args=[owner.organisation_id])
    assert client_for(mallory).post(url, {"edition": meti.pk, "level": "★4", "target_date": "2026-12-31"}).status_code == 404
    assert not Target.objects.exists()
