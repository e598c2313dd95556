"""Nothing before consent (issue 8, finding 5): before a supplier accepts a request, its customer
sees only invited / registered (verified or not) / not yet answered — never the supplier's
assessment status, its last activity or its other customers — on every page, file, API and the
supply tree. After acceptance, exactly what the acceptance page says.
"""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from keiretsu.conftest import client_for, membership_of
from keiretsu.supplychain import selectors
from keiretsu.supplychain.models import Supplier, SupplierStatus

from .scenario import FY, TODAY, accept, add_supplier, company, now_local, pass_on, send_requests, share, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(priority_edition):
    """The supplier answered, submitted and shared for one customer (Other Motors); another
    customer (Nosy Motors) has just asked it and has no answer yet."""
    supplier, supplier_owner = company("Quiet Supplier")
    other, other_owner = company("Other Motors")
    nosy, nosy_owner = company("Nosy Motors")
    add_supplier(other, other_owner, supplier)
    send_requests(other, other_owner, other.suppliers.all(), [priority_edition])
    accept(supplier, supplier_owner, other, priority_edition)
    assessment = submit(supplier, supplier_owner, priority_edition)
    share(supplier, supplier_owner, other, priority_edition, assessment)
    add_supplier(nosy, nosy_owner, supplier)
    send_requests(nosy, nosy_owner, nosy.suppliers.all(), [priority_edition])
    return {"supplier": (supplier, supplier_owner), "nosy": (nosy, nosy_owner), "other": (other, other_owner)}


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(now_local(TODAY), tick=False):
        yield


def ja(label):
    with translation.override("ja"):
        return str(label)


def test_the_list_api_and_files_say_only_not_yet_answered(scene, priority_edition):
    nosy, owner = scene["nosy"]
    client = client_for(owner)
    row = client.get(reverse("api:suppliers", args=[nosy.pk]), {"year": FY}).json()["suppliers"][0]
    assert row["status"] == "not_answered"
    assert row["last_activity"] is None and row["shared"] is None
    assert row["registration"] == "verified"

    page = client.get(reverse("supplychain:suppliers", args=[nosy.pk]), {"year": FY}).content.decode()
    assert ja(SupplierStatus.NOT_ANSWERED.label) in page
    assert ja(SupplierStatus.SUBMITTED.label) not in page.split("<tbody>")[1]
    assert "Other Motors" not in page

    export = client.get(reverse("supplychain:supplier_export", args=[nosy.pk]), {"year": FY})
    header, line = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    values = dict(zip(header, line, strict=True))
    assert values["状態"] == ja(SupplierStatus.NOT_ANSWERED.label)
    assert values["最終更新"] == ""


def test_the_supplier_page_and_tree_say_only_not_yet_answered(scene, priority_edition):
    nosy, owner = scene["nosy"]
    client = client_for(owner)
    entry = Supplier.objects.get(customer=nosy)
    page = client.get(reverse("supplychain:supplier_detail", args=[nosy.pk, entry.pk])).content.decode()
    assert ja(SupplierStatus.NOT_ANSWERED.label) in page
    assert ja(SupplierStatus.SUBMITTED.label) not in page and "Other Motors" not in page
    tree = client.get(reverse("api:supply_tree", args=[nosy.pk]), {"year": FY}).json()
    (tier,) = tree["tiers"]
    assert (tier["known"], tier["submitted"], tier["by_status"]) == (1, 0, {"not_answered": 1})
    assert [b["status"] for b in tree["branches"]] == ["not_answered"]


def test_a_deeper_supplier_counts_as_not_yet_answered_until_it_accepts(priority_edition):
    oem, oem_owner = company("OEM")
    tier1, tier1_owner = company("Tier1")
    tier2, tier2_owner = company("Tier2")
    other, other_owner = company("Other")
    # Tier2 answered and submitted for another customer.
    add_supplier(other, other_owner, tier2)
    send_requests(other, other_owner, other.suppliers.all(), [priority_edition])
    accept(tier2, tier2_owner, other, priority_edition)
    submit(tier2, tier2_owner, priority_edition)
    add_supplier(oem, oem_owner, tier1)
    send_requests(oem, oem_owner, oem.suppliers.all(), [priority_edition])
    accept(tier1, tier1_owner, oem, priority_edition)
    add_supplier(tier1, tier1_owner, tier2)
    pass_on(tier1, tier1_owner, oem, priority_edition)
    focus = selectors.Focus(FY, priority_edition, [FY], [priority_edition])
    tree = selectors.supply_tree(membership_of(oem_owner, oem), focus=focus, today=TODAY)
    assert tree.tiers[1].by_status == {SupplierStatus.NOT_ANSWERED: 1}
    accept(tier2, tier2_owner, tier1, priority_edition)
    tree = selectors.supply_tree(membership_of(oem_owner, oem), focus=focus, today=TODAY)
    assert tree.tiers[1].by_status == {SupplierStatus.SUBMITTED: 1}


def test_after_acceptance_the_customer_sees_what_the_page_promised(scene, priority_edition):
    supplier, supplier_owner = scene["supplier"]
    nosy, owner = scene["nosy"]
    request = Supplier.objects.get(customer=nosy).requests.get()
    page = client_for(supplier_owner).get(
        reverse("supplychain:inbox_request", args=[supplier.pk, request.pk])
    ).content.decode()
    assert "承諾するまで、Nosy Motors に見えるのは" in page
    assert "承諾すると、Nosy Motors には次のことが見えます" in page
    accept(supplier, supplier_owner, nosy, priority_edition)
    row = client_for(owner).get(reverse("api:suppliers", args=[nosy.pk]), {"year": FY}).json()["suppliers"][0]
    assert row["status"] == "submitted"  # where the assessment stands
    assert row["last_activity"] is not None  # when it last changed
    assert row["shared"] is None  # results only once shared with this customer
    page = client_for(supplier_owner).get(
        reverse("supplychain:inbox_request", args=[supplier.pk, request.pk])
    ).content.decode()
    assert "Nosy Motors に見えること" in page


def test_a_declined_request_shows_the_decline_and_nothing_else(scene, priority_edition):
    from keiretsu.supplychain import services

    from .scenario import inbox_request

    supplier, supplier_owner = scene["supplier"]
    nosy, owner = scene["nosy"]
    services.request_decline(
        membership=membership_of(supplier_owner, supplier),
        actor=supplier_owner,
        request=inbox_request(supplier, nosy, priority_edition),
        reason="Not a current supplier",
    )
    row = client_for(owner).get(reverse("api:suppliers", args=[nosy.pk]), {"year": FY}).json()["suppliers"][0]
    assert row["status"] == "declined" and row["shared"] is None
