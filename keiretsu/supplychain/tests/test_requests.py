"""Requests and replies: what is refused, and how one assessment answers every customer."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments.models import Assessment
from keiretsu.conftest import client_for, membership_of
from keiretsu.supplychain import services
from keiretsu.supplychain.models import AssessmentRequest, RequestPath, Supplier

from .scenario import DUE, FY, TODAY, accept, add_supplier, company, inbox_request, pass_on, send_requests, tree_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(priority_edition):
    customer, customer_owner = company("Customer Motors")
    supplier_org, supplier_owner = company("Supplier Works")
    supplier = add_supplier(customer, customer_owner, supplier_org)
    return customer, customer_owner, supplier_org, supplier_owner, supplier


def test_a_request_reaches_the_suppliers_inbox_and_is_noticed_by_email(
    pair, priority_edition, django_capture_on_commit_callbacks
):
    customer, owner, supplier_org, supplier_owner, supplier = pair
    with django_capture_on_commit_callbacks(execute=True):
        (created,) = send_requests(customer, owner, [supplier], [priority_edition])
    assert (created.requester, created.supplier, created.fiscal_year, created.due_date) == (customer, supplier, FY, DUE)
    assert RequestPath.objects.filter(ancestor=created, descendant=created, depth=0).exists()
    (message,) = mail.outbox
    assert message.to == [supplier.contact_email]
    assert "Customer Motors" in message.subject
    assert AuditEvent.objects.filter(organisation=customer, event="request.sent").count() == 1
    page = client_for(supplier_owner).get(reverse("supplychain:inbox", args=[supplier_org.pk]))
    assert "Customer Motors" in page.content.decode()


def test_a_duplicate_open_request_is_refused(pair, priority_edition):
    customer, owner, _, _, supplier = pair
    send_requests(customer, owner, [supplier], [priority_edition])
    with pytest.raises(services.Conflict, match="Already asked"):
        send_requests(customer, owner, [supplier], [priority_edition])
    assert AssessmentRequest.objects.count() == 1
    # Sending to "all suppliers" skips the ones already asked.
    result = services.requests_send(
        membership=membership_of(owner, customer),
        actor=owner,
        suppliers=[supplier],
        editions=[priority_edition],
        fiscal_year=FY,
        due_date=DUE,
        today=TODAY,
        skip_requested=True,
    )
    assert (result.created, len(result.skipped)) == ([], 1)


def test_a_request_to_oneself_is_refused(alpha, alice, priority_edition):
    with pytest.raises(Exception, match="own organisation"):
        services.supplier_add(
            membership=membership_of(alice, alpha),
            actor=alice,
            name="Me",
            corporate_number=alpha.corporate_number,
            contact_email="alice@alpha.example",
        )
    assert not Supplier.objects.exists()


def test_a_due_date_in_the_past_is_refused(pair, priority_edition):
    customer, owner, _, _, supplier = pair
    with pytest.raises(services.SupplyChainError, match="in the past"):
        send_requests(customer, owner, [supplier], [priority_edition], due=TODAY - datetime.timedelta(days=1))


def test_viewers_cannot_request(alpha, alice, vera, priority_edition):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.supplier_add(
            membership=membership_of(vera, alpha),
            actor=vera,
            name="X",
            corporate_number="1" * 13,
            contact_email="x@x.example",
        )


def test_accepting_starts_one_assessment_that_answers_every_customer(pair, priority_edition):
    customer, owner, supplier_org, supplier_owner, supplier = pair
    other, other_owner = company("Other Motors")
    add_supplier(other, other_owner, supplier_org)
    send_requests(customer, owner, [supplier], [priority_edition])
    send_requests(other, other_owner, Supplier.objects.filter(customer=other), [priority_edition])
    accept(supplier_org, supplier_owner, customer, priority_edition)
    accept(supplier_org, supplier_owner, other, priority_edition)
    (assessment,) = Assessment.objects.filter(organisation=supplier_org)
    assert (assessment.edition, assessment.fiscal_year, assessment.scope.kind) == (priority_edition, FY, "company")
    assert set(AssessmentRequest.objects.values_list("status", flat=True)) == {"accepted"}


def test_declining_needs_a_reason_which_the_customer_reads(pair, priority_edition, django_capture_on_commit_callbacks):
    customer, owner, supplier_org, supplier_owner, supplier = pair
    send_requests(customer, owner, [supplier], [priority_edition])
    req = inbox_request(supplier_org, customer, priority_edition)
    membership = membership_of(supplier_owner, supplier_org)
    with pytest.raises(services.SupplyChainError, match="Give a reason"):
        services.request_decline(membership=membership, actor=supplier_owner, request=req, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(
            membership=membership, actor=supplier_owner, request=req, reason="We no longer supply you."
        )
    req.refresh_from_db()
    assert (req.status, req.decline_reason) == ("declined", "We no longer supply you.")
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "We no longer supply you." in message.body
    # Declined, the customer may ask again: the new request replaces it.
    (again,) = send_requests(customer, owner, [supplier], [priority_edition])
    req.refresh_from_db()
    assert not req.is_current and again.is_current


def test_withdrawal_removes_the_subtree_from_the_customers_tree(pair, priority_edition):
    customer, owner, supplier_org, supplier_owner, supplier = pair
    deep, deep_owner = company("Deep Parts")
    deeper, _ = company("Deeper Parts")
    add_supplier(supplier_org, supplier_owner, deep)
    add_supplier(deep, deep_owner, deeper)
    (root,) = send_requests(customer, owner, [supplier], [priority_edition])
    accept(supplier_org, supplier_owner, customer, priority_edition)
    (child,) = pass_on(supplier_org, supplier_owner, customer, priority_edition).created
    accept(deep, deep_owner, supplier_org, priority_edition)
    (grandchild,) = pass_on(deep, deep_owner, supplier_org, priority_edition).created
    assert [t.known for t in tree_of(customer, owner, priority_edition).tiers] == [1, 1, 1]

    # The middle supplier withdraws its request: Deep and Deeper leave the customer's tree.
    services.request_withdraw(
        membership=membership_of(supplier_owner, supplier_org), actor=supplier_owner, request=child
    )
    assert [t.known for t in tree_of(customer, owner, priority_edition).tiers] == [1]
    assert not RequestPath.objects.filter(ancestor=root, descendant__in=[child, grandchild]).exists()
    # Deep's own request to Deeper stays, as Deep's own tree.
    grandchild.refresh_from_db()
    assert grandchild.is_current
    assert [t.known for t in tree_of(deep, deep_owner, priority_edition).tiers] == [1]

    # The customer withdraws its own: its tree is empty, and the supplier can no longer accept.
    services.request_withdraw(membership=membership_of(owner, customer), actor=owner, request=root)
    assert tree_of(customer, owner, priority_edition).tiers == []
    with pytest.raises(services.Conflict):
        services.request_accept(
            membership=membership_of(supplier_owner, supplier_org), actor=supplier_owner, request=root
        )


def test_the_request_form_refuses_a_duplicate_with_a_message(pair, priority_edition):
    import time_machine

    from .scenario import now_local

    customer, owner, _, _, supplier = pair
    send_requests(customer, owner, [supplier], [priority_edition])
    with time_machine.travel(now_local(TODAY), tick=False):
        response = client_for(owner).post(
            reverse("supplychain:request_create", args=[customer.pk]),
            {
                "suppliers": [supplier.pk],
                "editions": [priority_edition.pk],
                "fiscal_year": FY,
                "due_date": "2026-09-30",
                "pass_on": "on",
            },
        )
    assert response.status_code == 200
    assert "Supplier Works" in response.content.decode()
    assert AssessmentRequest.objects.count() == 1
