"""OEM → three Tier-1 → nine Tier-2: the OEM never sees a Tier-2's scores unless that Tier-2
shared them with the OEM directly; it sees their progress, and averages over at least k."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from keiretsu.conftest import client_for, membership_of
from keiretsu.supplychain import selectors
from keiretsu.supplychain.models import Share, SupplierStatus

from .scenario import FY, TODAY, build_tree, now_local, tree_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(priority_edition, django_capture_on_commit_callbacks):
    # Tier2 A1 (shares with the OEM directly) leaves 2 items not done; B2 leaves 1; C3 leaves 3.
    with django_capture_on_commit_callbacks(execute=True):
        return build_tree(priority_edition, not_done={"Tier2 A1": 2, "Tier2 B2": 1, "Tier2 C3": 3})


@pytest.fixture
def on_today():
    with time_machine.travel(now_local(TODAY), tick=False):
        yield


def tier2(tree, name):
    return next((org, owner) for org, owner, _ in tree.tier2 if org.name == name)


def test_the_tree_counts_every_tier_but_shows_deeper_scores_only_as_an_aggregate(tree, priority_edition):
    result = tree_of(tree.oem, tree.oem_owner, priority_edition)
    tier1, tier2_row = result.tiers
    assert (tier1.tier, tier1.known, tier1.by_status) == (1, 3, {SupplierStatus.NOT_STARTED: 3})
    # Status counts travel up: the nine Tier-2 shared with their Tier-1.
    assert (tier2_row.tier, tier2_row.known, tier2_row.by_status) == (2, 9, {SupplierStatus.SHARED: 9})
    assert tier2_row.coverage == 100
    # The 8 results not shared with the OEM directly (≥ k = 5): an average (6 × 100 %, 87.5 %,
    # 62.5 %) and counts, no names. A1's (75 %, shared directly) is not in it, or the average
    # would give away the others' with fewer results.
    assert tier2_row.aggregate.suppliers == 8
    assert tier2_row.aggregate.shown
    assert str(tier2_row.aggregate.mean_rate) == "93.8"
    assert tier2_row.aggregate.weak == 2
    assert tier2_row.shared_with_you == 1
    # Each branch: its own status and what is below it.
    assert [(b.supplier.name, b.status, b.below.known, b.below.submitted) for b in result.branches] == [
        ("Tier1 A", SupplierStatus.NOT_STARTED, 3, 3),
        ("Tier1 B", SupplierStatus.NOT_STARTED, 3, 3),
        ("Tier1 C", SupplierStatus.NOT_STARTED, 3, 3),
    ]


def test_below_k_the_aggregate_is_withheld(tree, priority_edition, settings):
    settings.BENCHMARK_MIN_GROUP_SIZE = 9
    tier2_row = tree_of(tree.oem, tree.oem_owner, priority_edition).tiers[1]
    assert tier2_row.aggregate.suppliers == 8
    assert not tier2_row.aggregate.shown
    # Suppressed figures are not computed at all: nothing of them reaches the page or the API.
    assert (tier2_row.aggregate.mean_rate, tier2_row.aggregate.weak, tier2_row.aggregate.with_levels) == (None,) * 3


def test_the_tier_average_is_the_exact_mean_of_the_rates_on_every_database(
    meti_edition, django_capture_on_commit_callbacks
):
    # Eight Tier-2 results of 153 criteria, 5 to 12 not done: (148 + 147 + 147 + 144 + 143 + 143
    # + 143 + 141) / (8 × 153) = 94.44…%. The mean of the rounded percentages (96.7, 96.1, …)
    # would be 94.5 (and SQL's AVG over them rounds differently on SQLite and PostgreSQL).
    names = ["Tier2 A2", "Tier2 A3", "Tier2 B1", "Tier2 B2", "Tier2 B3", "Tier2 C1", "Tier2 C2", "Tier2 C3"]
    with django_capture_on_commit_callbacks(execute=True):
        tree = build_tree(meti_edition, not_done=dict(zip(names, [5, 6, 6, 9, 10, 10, 10, 12], strict=True)))
    aggregate = tree_of(tree.oem, tree.oem_owner, meti_edition).tiers[1].aggregate
    assert (aggregate.suppliers, aggregate.shown, aggregate.mean_rate) == (8, True, Decimal("94.4"))
    api = client_for(tree.oem_owner).get(reverse("api:supply_tree", args=[tree.oem.pk]) + f"?year={FY}").json()
    assert api["tiers"][1]["average_achievement_rate"] == 94.4


def test_directly_shared_results_do_not_complete_a_group_of_k(priority_edition, django_capture_on_commit_callbacks):
    # Five Tier-2 results, four of them shared with the OEM directly: the fifth must not be
    # readable as "the average of five minus the four the OEM knows".
    with django_capture_on_commit_callbacks(execute=True):
        tree = build_tree(priority_edition, share_tier2_with_oem=(0, 1, 2, 3))
    from keiretsu.supplychain.models import Share

    Share.objects.filter(organisation__name__in=["Tier2 C1", "Tier2 C2", "Tier2 C3", "Tier2 B3"]).delete()
    tier2_row = tree_of(tree.oem, tree.oem_owner, priority_edition).tiers[1]
    assert (tier2_row.shared_with_you, tier2_row.aggregate.suppliers, tier2_row.aggregate.shown) == (4, 1, False)
    assert tier2_row.aggregate.mean_rate is None  # below k: never computed


def test_only_the_tier2_that_shared_directly_is_visible_to_the_oem(tree):
    membership = membership_of(tree.oem_owner, tree.oem)
    visible = list(Share.objects.filter(recipient=tree.oem))
    assert [s.organisation.name for s in visible] == ["Tier2 A1"]
    links = list(selectors.weakest_links(membership, fiscal_year=FY))
    assert [(s.organisation.name, s.tier, s.priority_missing) for s in links] == [("Tier2 A1", 2, 2)]
    # Its criticality is the one of the Tier-1 it is reached through (Tier1 A: high).
    assert links[0].criticality == 1


def test_oem_pages_never_name_or_score_a_tier2_that_did_not_share_with_it(tree, on_today):
    client = client_for(tree.oem_owner)
    org = tree.oem.pk
    pages = [
        reverse("supplychain:suppliers", args=[org]),
        reverse("supplychain:supply_tree", args=[org]) + f"?year={FY}",
        reverse("supplychain:weakest_links", args=[org]) + f"?year={FY}",
        reverse("supplychain:supplier_export", args=[org]) + f"?year={FY}",
        reverse("api:supply_tree", args=[org]) + f"?year={FY}",
        reverse("api:weakest_links", args=[org]) + f"?year={FY}",
        reverse("api:suppliers", args=[org]) + f"?year={FY}",
    ]
    hidden = [org2.name for org2, _, _ in tree.tier2 if org2.name != "Tier2 A1"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        for name in hidden:
            assert name not in text, (url, name)
    tree_page = client.get(reverse("supplychain:supply_tree", args=[org]) + f"?year={FY}").content.decode()
    assert "Tier2 A1" in tree_page  # shared directly: listed with its result


def test_oem_cannot_open_a_share_meant_for_a_tier1(tree):
    client = client_for(tree.oem_owner)
    b2, _ = tier2(tree, "Tier2 B2")
    share_to_tier1 = Share.objects.get(organisation=b2)
    assert client.get(reverse("supplychain:result", args=[tree.oem.pk, share_to_tier1.pk])).status_code == 404
    assert client.get(reverse("api:result", args=[tree.oem.pk, share_to_tier1.pk])).status_code == 404
    # Nor the Tier-2's assessment itself.
    assessment = tree.assessments[b2.pk]
    assert client.get(reverse("assessments:detail", args=[b2.pk, assessment.pk])).status_code == 404


def test_the_tier1_sees_its_own_suppliers_scores(tree, priority_edition):
    tier1, owner = tree.tier1[1]  # Tier1 B
    membership = membership_of(owner, tier1)
    focus = selectors.Focus(FY, priority_edition, [FY], [priority_edition])
    shared = list(selectors.results_shared_with(membership, focus=focus))
    assert sorted((s.organisation.name, s.tier, str(s.overall_rate)) for s in shared) == [
        ("Tier2 B1", 1, "100.0"),
        ("Tier2 B2", 1, "87.5"),
        ("Tier2 B3", 1, "100.0"),
    ]
    # Its own tree is one tier deep: three suppliers, all shared; 3 < k: no aggregate shown.
    result = tree_of(tier1, owner, priority_edition)
    assert [(t.tier, t.known, t.aggregate.shown) for t in result.tiers] == [(1, 3, False)]


def test_a_share_with_the_oem_is_visible_in_full_to_the_oem_only_once_and_as_shared(tree):
    a1, _ = tier2(tree, "Tier2 A1")
    share = Share.objects.get(organisation=a1, recipient=tree.oem)
    response = client_for(tree.oem_owner).get(reverse("supplychain:result", args=[tree.oem.pk, share.pk]))
    assert response.status_code == 200
    assert "75.0%" in response.content.decode()
