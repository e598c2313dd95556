"""Defence in depth: every supply-chain service handed another organisation's object refuses
it with a 404, as the pages do, and changes nothing (the selectors scope the reads first)."""

import pytest

from keiretsu.accounts.models import AuditEvent
from keiretsu.conftest import membership_of
from keiretsu.lib.refusals import NotFound
from keiretsu.supplychain import reminders, services
from keiretsu.supplychain.models import AssessmentRequest, Share, Supplier

from .scenario import DUE, FY, TODAY, accept, add_supplier, company, send_requests, share, submit

pytestmark = pytest.mark.django_db


def test_every_service_refuses_another_organisations_object(priority_edition, django_capture_on_commit_callbacks):
    customer, owner = company("Customer")
    supplier_org, supplier_owner = company("Supplier")
    entry = add_supplier(customer, owner, supplier_org)
    (request,) = send_requests(customer, owner, [entry], [priority_edition])
    accept(supplier_org, supplier_owner, customer, priority_edition)
    (shared,) = share(
        supplier_org, supplier_owner, customer, priority_edition, submit(supplier_org, supplier_owner, priority_edition)
    )
    intruder, intruder_owner = company("Intruder")
    other = {"membership": membership_of(intruder_owner, intruder), "actor": intruder_owner}
    calls = {
        "supplier_update": lambda: services.supplier_update(**other, supplier=entry, name="Mine now"),
        "supplier_remove": lambda: services.supplier_remove(**other, supplier=entry),
        "supplier_invite": lambda: services.supplier_invite(**other, supplier=entry),
        "requests_send": lambda: services.requests_send(
            **other, suppliers=[entry], editions=[priority_edition], fiscal_year=FY + 1, due_date=DUE, today=TODAY
        ),
        "request_withdraw": lambda: services.request_withdraw(**other, request=request),
        "request_accept": lambda: services.request_accept(**other, request=request),
        "request_decline": lambda: services.request_decline(**other, request=request, reason="No."),
        "requests_pass_on": lambda: services.requests_pass_on(
            **other, parents=[request], suppliers=None, due_date=DUE, today=TODAY
        ),
        "share_create": lambda: services.share_create(
            **other, request=request, assessment=shared.assessment, detail="full", recipients=[customer]
        ),
        "share_withdraw": lambda: services.share_withdraw(**other, share=shared),
        "reminder_nudge": lambda: reminders.reminder_nudge(**other, request=request, today=TODAY),
    }
    rows = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for name, call in calls.items():
            with pytest.raises(NotFound):
                call()
                pytest.fail(f"{name} accepted another organisation's object")
    assert callbacks == []  # no e-mail queued
    assert AuditEvent.objects.count() == rows
    entry.refresh_from_db()
    request.refresh_from_db()
    assert entry.name == "Supplier" and Supplier.objects.count() == 1
    assert (request.status, request.is_current) == (AssessmentRequest.Status.ACCEPTED, True)
    assert AssessmentRequest.objects.count() == 1
    assert list(Share.objects.values_list("pk", "ended_at", "detail")) == [(shared.pk, None, "summary")]
