"""The supply tree and the weakest links: exact figures, ordering, and a number of queries
that does not grow with the tree."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keiretsu.conftest import client_for, membership_of
from keiretsu.supplychain import selectors
from keiretsu.supplychain.models import Criticality, Supplier, SupplierStatus

from .scenario import (
    FY,
    TODAY,
    accept,
    add_supplier,
    build_tree,
    company,
    now_local,
    pass_on,
    send_requests,
    share,
    submit,
    tree_of,
)

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)  # warm up (session, language)
    with time_machine.travel(now_local(TODAY), tick=False), CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_tree_and_weakest_links_pages_take_the_same_queries_for_a_bigger_tree(priority_edition):
    small = build_tree(priority_edition, not_done={"Tier2 A1": 1})
    client = client_for(small.oem_owner)
    tree_url = reverse("supplychain:supply_tree", args=[small.oem.pk]) + f"?year={FY}"
    links_url = reverse("supplychain:weakest_links", args=[small.oem.pk]) + f"?year={FY}"
    before = queries(client, tree_url), queries(client, links_url)
    # Grow it: a third tier under every Tier-2, and more direct shares with the OEM.
    for t2, t2_owner, i in small.tier2:
        for k in range(2):
            t3, t3_owner = company(f"Tier3 {t2.name}-{k}")
            add_supplier(t2, t2_owner, t3)
        pass_on(t2, t2_owner, small.tier1[i][0], priority_edition)
        for t3_entry in Supplier.objects.filter(customer=t2):
            t3 = t3_entry.organisation
            t3_owner = t3.memberships.get().user
            accept(t3, t3_owner, t2, priority_edition)
            assessment = submit(t3, t3_owner, priority_edition, not_done=1)
            share(t3, t3_owner, t2, priority_edition, assessment, recipients=[t2, small.oem])
    after = queries(client, tree_url), queries(client, links_url)
    assert after == before
    assert [t.known for t in tree_of(small.oem, small.oem_owner, priority_edition).tiers] == [3, 9, 18]


def test_weakest_links_most_critical_first_then_the_widest_gap(priority_edition):
    oem, oem_owner = company("OEM")
    spec = [
        ("Low gap 5", Criticality.LOW, 5),
        ("High gap 1", Criticality.HIGH, 1),
        ("High gap 3", Criticality.HIGH, 3),
        ("Medium none", Criticality.MEDIUM, 0),
        ("Medium gap 2", Criticality.MEDIUM, 2),
    ]
    suppliers = {}
    for name, criticality, gap in spec:
        org, owner = company(name)
        suppliers[name] = (org, owner, gap)
        add_supplier(oem, oem_owner, org, criticality=criticality)
    send_requests(oem, oem_owner, Supplier.objects.filter(customer=oem), [priority_edition])
    for org, owner, gap in suppliers.values():
        accept(org, owner, oem, priority_edition)
        share(org, owner, oem, priority_edition, submit(org, owner, priority_edition, not_done=gap))
    links = selectors.weakest_links(membership_of(oem_owner, oem), fiscal_year=FY)
    assert [(s.organisation.name, s.gap) for s in links] == [
        ("High gap 3", 3),
        ("High gap 1", 1),
        ("Medium gap 2", 2),
        ("Low gap 5", 5),
    ]


def test_levels_weak_links_on_the_meti_scheme(meti_edition):
    oem, oem_owner = company("OEM")
    ok, ok_owner = company("Attains ★3")
    weak, weak_owner = company("Misses ★3")
    for org in (ok, weak):
        add_supplier(oem, oem_owner, org)
    send_requests(oem, oem_owner, Supplier.objects.filter(customer=oem), [meti_edition])
    for org, owner, undone in ((ok, ok_owner, ["1-1-1-1"]), (weak, weak_owner, ["1-2-1-1", "1-2-1-2", "1-2-1-3"])):
        accept(org, owner, oem, meti_edition)
        share(org, owner, oem, meti_edition, submit(org, owner, meti_edition, not_done=undone))
    (link,) = selectors.weakest_links(membership_of(oem_owner, oem), fiscal_year=FY)
    assert (link.organisation, link.level_attained, link.first_level_missing, link.gap) == (weak, "", 3, 3)
    row = tree_of(oem, oem_owner, meti_edition).tiers[0]
    # Both shared with the OEM directly: seen one by one, so no average over "the others".
    assert (row.known, row.by_status, row.shared_with_you, row.aggregate.suppliers) == (
        2,
        {SupplierStatus.SHARED: 2},
        2,
        0,
    )


def test_a_supplier_reached_twice_counts_once_at_its_nearest_tier_with_its_best_status(priority_edition):
    oem, oem_owner = company("OEM")
    a, a_owner = company("Tier1 A")
    b, b_owner = company("Tier1 B")
    shared_supplier, shared_owner = company("Common Supplier")
    for t1 in (a, b):
        add_supplier(oem, oem_owner, t1)
    add_supplier(a, a_owner, shared_supplier)
    add_supplier(b, b_owner, shared_supplier)
    send_requests(oem, oem_owner, Supplier.objects.filter(customer=oem), [priority_edition])
    for t1, owner in ((a, a_owner), (b, b_owner)):
        accept(t1, owner, oem, priority_edition)
        pass_on(t1, owner, oem, priority_edition)
    accept(shared_supplier, shared_owner, a, priority_edition)
    share(shared_supplier, shared_owner, a, priority_edition, submit(shared_supplier, shared_owner, priority_edition))
    tier2 = tree_of(oem, oem_owner, priority_edition).tiers[1]
    # Shared with A, only submitted as far as B knows: counted once, as shared.
    assert (tier2.known, tier2.by_status) == (1, {SupplierStatus.SHARED: 1})
