"""What the customer reads in its supplier list: one status per supplier, by date."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from keiretsu.assessments.models import Answer
from keiretsu.conftest import client_for, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import selectors, services
from keiretsu.supplychain.models import Criticality, SupplierStatus

from .scenario import (
    DUE,
    FY,
    TODAY,
    accept,
    add_supplier,
    company,
    inbox_request,
    now_local,
    send_requests,
    share,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def suppliers(priority_edition):
    """A customer with one supplier in each status (as of TODAY)."""
    customer, owner = company("Customer Motors")
    orgs = {}
    for name in ("Declines", "Waits", "Accepts", "Answers", "Submits", "Shares"):
        orgs[name] = company(name)
        add_supplier(
            customer, owner, orgs[name][0], criticality=Criticality.HIGH if name == "Waits" else Criticality.MEDIUM
        )
    services.supplier_add(
        membership=membership_of(owner, customer),
        actor=owner,
        name="Invited",
        corporate_number=with_check_digit("700000000007"),
        contact_email="x@invited.example",
        criticality=Criticality.LOW,
    )
    send_requests(customer, owner, customer.suppliers.all(), [priority_edition])
    declines, declines_owner = orgs["Declines"]
    services.request_decline(
        membership=membership_of(declines_owner, declines),
        actor=declines_owner,
        request=inbox_request(declines, customer, priority_edition),
        reason="No longer a supplier",
    )
    accept(*orgs["Accepts"], customer, priority_edition)
    answers, answers_owner = orgs["Answers"]
    accept(answers, answers_owner, customer, priority_edition)
    Answer.objects.create(assessment=answers.assessments.get(), item=priority_edition.items.first(), rating="○")
    for name in ("Submits", "Shares"):
        org, org_owner = orgs[name]
        accept(org, org_owner, customer, priority_edition)
        assessment = submit(org, org_owner, priority_edition, not_done=1 if name == "Shares" else 0)
    share(*orgs["Shares"], customer, priority_edition, assessment)
    return customer, owner


def statuses(customer, owner, edition, today):
    membership = membership_of(owner, customer)
    focus = selectors.Focus(FY, edition, [FY], [edition])
    return {
        row.name: SupplierStatus(row.status) for row in selectors.supplier_rows(membership, focus=focus, today=today)
    }


def test_every_status_before_the_due_date(suppliers, priority_edition):
    assert statuses(*suppliers, priority_edition, TODAY) == {
        "Declines": SupplierStatus.DECLINED,
        # Not accepted yet: nothing else (docs/rules.md, "Visibility").
        "Waits": SupplierStatus.NOT_ANSWERED,
        "Accepts": SupplierStatus.NOT_STARTED,
        "Answers": SupplierStatus.IN_PROGRESS,
        "Submits": SupplierStatus.SUBMITTED,
        "Shares": SupplierStatus.SHARED,
        "Invited": SupplierStatus.INVITED,
    }


def test_overdue_the_day_after_the_due_date_but_not_on_it(suppliers, priority_edition):
    on_due = statuses(*suppliers, priority_edition, DUE)
    assert on_due["Accepts"] == SupplierStatus.NOT_STARTED and on_due["Answers"] == SupplierStatus.IN_PROGRESS
    after = statuses(*suppliers, priority_edition, DUE + datetime.timedelta(days=1))
    assert after["Accepts"] == after["Answers"] == SupplierStatus.OVERDUE
    # A request not accepted yet stays "not yet answered": the customer sees its due date anyway.
    assert after["Waits"] == SupplierStatus.NOT_ANSWERED
    # Submitted, shared, declined and not-yet-registered suppliers are not "overdue".
    assert [after[n] for n in ("Submits", "Shares", "Declines", "Invited")] == [
        SupplierStatus.SUBMITTED,
        SupplierStatus.SHARED,
        SupplierStatus.DECLINED,
        SupplierStatus.INVITED,
    ]


def test_the_list_page_by_frozen_time_with_filters_and_sorting(suppliers, priority_edition):
    customer, owner = suppliers
    client = client_for(owner)
    url = reverse("supplychain:suppliers", args=[customer.pk])
    with time_machine.travel(now_local(DUE + datetime.timedelta(days=1)), tick=False):
        page = client.get(url, {"year": FY, "status": SupplierStatus.OVERDUE}).content.decode()
        assert "Accepts" in page and "Answers" in page and "Shares" not in page and "Waits" not in page
        api = client.get(reverse("api:suppliers", args=[customer.pk]), {"year": FY}).json()["suppliers"]
    # Most critical first (high, medium × 4 by name, low).
    assert [row["name"] for row in api] == ["Waits", "Accepts", "Answers", "Declines", "Shares", "Submits", "Invited"]
    assert {row["name"]: row["status"] for row in api}["Accepts"] == "overdue"
    assert {row["name"]: row["status"] for row in api}["Waits"] == "not_answered"
    shares = next(row for row in api if row["name"] == "Shares")
    assert shares["shared"]["weak_link"] is True and shares["shared"]["achievement_rate"] == 87.5


def test_the_list_is_one_query_however_many_suppliers(suppliers, priority_edition):
    customer, owner = suppliers
    client = client_for(owner)
    url = reverse("supplychain:suppliers", args=[customer.pk]) + f"?year={FY}"
    with time_machine.travel(now_local(TODAY), tick=False):
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for i in range(5):
            extra, _ = company(f"Extra {i}")
            add_supplier(customer, owner, extra)
        with CaptureQueriesContext(connection) as large:
            response = client.get(url)
    assert response.content.decode().count("Extra ") >= 5
    assert len(large) == len(small)


def test_htmx_gets_only_the_table(suppliers):
    customer, owner = suppliers
    url = reverse("supplychain:suppliers", args=[customer.pk])
    full = client_for(owner).get(url, {"year": FY})
    partial = client_for(owner).get(url, {"year": FY}, headers={"HX-Request": "true"})
    assert b"<html" in full.content and b"<html" not in partial.content
    assert b'id="suppliers"' in partial.content
