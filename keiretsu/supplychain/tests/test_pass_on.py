"""The cascade: one action passes a request on to one's own suppliers, one tier down."""

import datetime

import pytest

from keiretsu.supplychain import services
from keiretsu.supplychain.models import AssessmentRequest, RequestPath, Supplier

from .scenario import DUE, TODAY, accept, add_supplier, company, inbox_request, pass_on, send_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(priority_edition):
    oem, oem_owner = company("OEM")
    t1, t1_owner = company("T1")
    add_supplier(oem, oem_owner, t1)
    send_requests(oem, oem_owner, Supplier.objects.filter(customer=oem), [priority_edition], due=DUE)
    t2s = [company(f"T2-{i}") for i in range(3)]
    for t2, _ in t2s:
        add_supplier(t1, t1_owner, t2)
    return oem, oem_owner, t1, t1_owner, t2s


def test_passing_on_creates_linked_child_requests_for_every_supplier(chain, priority_edition):
    oem, _, t1, t1_owner, _t2s = chain
    accept(t1, t1_owner, oem, priority_edition)
    parent = inbox_request(t1, oem, priority_edition)
    result = pass_on(t1, t1_owner, oem, priority_edition, due=DUE - datetime.timedelta(days=14))
    assert len(result.created) == 3
    for child in result.created:
        assert (child.parent, child.requester, child.edition, child.fiscal_year) == (parent, t1, priority_edition, 2026)
        assert child.due_date == datetime.date(2026, 9, 16)
    root = AssessmentRequest.objects.get(requester=oem)
    assert RequestPath.objects.filter(ancestor=root, depth=1).count() == 3


def test_a_due_date_later_than_the_customers_is_refused(chain, priority_edition):
    oem, _, t1, t1_owner, _ = chain
    accept(t1, t1_owner, oem, priority_edition)
    with pytest.raises(
        services.SupplyChainError, match="cannot be later than your customer's due date \\(2026-09-30\\)"
    ):
        pass_on(t1, t1_owner, oem, priority_edition, due=DUE + datetime.timedelta(days=1))
    assert AssessmentRequest.objects.filter(requester=t1).count() == 0


def test_a_request_must_be_accepted_and_ask_to_be_passed_on(chain, priority_edition):
    oem, _, t1, t1_owner, _ = chain
    with pytest.raises(services.Conflict, match="Accept a request"):
        pass_on(t1, t1_owner, oem, priority_edition)
    other, other_owner = company("Quiet Customer")
    add_supplier(other, other_owner, t1)
    send_requests(other, other_owner, Supplier.objects.filter(customer=other), [priority_edition], pass_on=False)
    accept(t1, t1_owner, other, priority_edition)
    with pytest.raises(services.SupplyChainError, match="does not ask"):
        pass_on(t1, t1_owner, other, priority_edition)


def test_an_independent_request_joins_the_tree_and_the_customer_above_is_left_out(chain, priority_edition):
    oem, _, t1, t1_owner, t2s = chain
    first_t2 = Supplier.objects.get(customer=t1, organisation=t2s[0][0])
    (independent,) = send_requests(t1, t1_owner, [first_t2], [priority_edition], due=DUE - datetime.timedelta(days=30))
    back_to_oem = add_supplier(t1, t1_owner, oem)  # the OEM also supplies T1 (it happens)
    accept(t1, t1_owner, oem, priority_edition)
    result = pass_on(t1, t1_owner, oem, priority_edition)
    independent.refresh_from_db()
    assert independent.parent == inbox_request(t1, oem, priority_edition)
    assert result.linked == [independent]
    assert len(result.created) == 2
    assert [(s.supplier, s.reason) for s in result.skipped] == [(back_to_oem, "is a customer higher up in this chain")]


def test_passing_on_twice_creates_nothing_new(chain, priority_edition):
    oem, _, t1, t1_owner, _ = chain
    accept(t1, t1_owner, oem, priority_edition)
    pass_on(t1, t1_owner, oem, priority_edition)
    again = pass_on(t1, t1_owner, oem, priority_edition)
    assert again.created == [] and [s.reason for s in again.skipped] == ["already passed on"] * 3


def test_the_pass_on_page_prefills_the_parents_due_date(chain, priority_edition):
    import time_machine
    from django.urls import reverse

    from keiretsu.conftest import client_for

    from .scenario import now_local

    oem, _, t1, t1_owner, _ = chain
    accept(t1, t1_owner, oem, priority_edition)
    parent = inbox_request(t1, oem, priority_edition)
    with time_machine.travel(now_local(TODAY), tick=False):
        client = client_for(t1_owner)
        page = client.get(reverse("supplychain:pass_on", args=[t1.pk]) + f"?requests={parent.pk}")
        assert 'value="2026-09-30"' in page.content.decode()
        response = client.post(
            reverse("supplychain:pass_on", args=[t1.pk]),
            {"requests": [parent.pk], "all_suppliers": "on", "due_date": "2026-10-01", "pass_on": "on"},
        )
        assert response.status_code == 200
        assert "2026-09-30" in response.content.decode()
        assert not AssessmentRequest.objects.filter(requester=t1).exists()
        response = client.post(
            reverse("supplychain:pass_on", args=[t1.pk]),
            {"requests": [parent.pk], "all_suppliers": "on", "due_date": "2026-09-15", "pass_on": "on"},
        )
    assert response.status_code == 200
    assert AssessmentRequest.objects.filter(requester=t1, parent=parent, due_date="2026-09-15").count() == 3
