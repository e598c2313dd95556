"""Consent-based sharing of a submitted (frozen) revision, at the detail the supplier chose."""

import pytest
from django.utils import timezone
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.conftest import add_member, client_for, make_user, membership_of
from keiretsu.supplychain import services
from keiretsu.supplychain.models import Share

from .scenario import accept, add_supplier, answer_all, company, inbox_request, send_requests, share, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(meti_edition):
    """A customer asked a supplier for the METI scheme; the supplier accepted and submitted with
    two ★3 criteria not met (so ★3 is not attained), one with a comment."""
    customer, customer_owner = company("Customer Motors")
    supplier_org, supplier_owner = company("Supplier Works")
    add_supplier(customer, customer_owner, supplier_org)
    send_requests(customer, customer_owner, [customer.suppliers.get()], [meti_edition])
    accept(supplier_org, supplier_owner, customer, meti_edition)
    assessment = submit(supplier_org, supplier_owner, meti_edition, not_done=["1-2-1-1", "1-2-1-2"])
    Answer.objects.filter(assessment=assessment, item__number="1-2-1-1").update(
        comment="Firewall replacement budgeted for next year"
    )
    return customer, customer_owner, supplier_org, supplier_owner, assessment


def result_page(customer, owner, share_obj):
    return client_for(owner).get(reverse("supplychain:result", args=[customer.pk, share_obj.pk]))


def test_nothing_is_visible_before_sharing(answered):
    customer, customer_owner, *_ = answered
    page = client_for(customer_owner).get(reverse("supplychain:suppliers", args=[customer.pk]) + "?year=2026")
    assert "Supplier Works" in page.content.decode()
    assert not Share.objects.exists()


def test_a_summary_shows_rates_and_level_but_no_answer(answered, meti_edition, django_capture_on_commit_callbacks):
    customer, customer_owner, supplier_org, supplier_owner, assessment = answered
    with django_capture_on_commit_callbacks(execute=True):
        (shared,) = share(supplier_org, supplier_owner, customer, meti_edition, assessment, detail="summary")
    assert (shared.weak, shared.has_levels, shared.level_attained, shared.first_level_missing) == (True, True, "", 2)
    assert str(shared.overall_rate) == "98.7"  # 151 of 153
    text = result_page(customer, customer_owner, shared).content.decode()
    assert "98.7%" in text
    assert "Firewall replacement" not in text
    assert [m.to for m in mail.outbox] == [[customer_owner.email]]
    api = client_for(customer_owner).get(reverse("api:result", args=[customer.pk, shared.pk])).json()
    assert api["scores"]["overall"]["achievement_rate"] == 98.7
    assert "answers" not in api


def test_full_detail_shows_every_answer_and_comment(answered, meti_edition):
    customer, customer_owner, supplier_org, supplier_owner, assessment = answered
    (shared,) = share(supplier_org, supplier_owner, customer, meti_edition, assessment, detail="full")
    text = result_page(customer, customer_owner, shared).content.decode()
    assert "Firewall replacement budgeted for next year" in text
    api = client_for(customer_owner).get(reverse("api:result", args=[customer.pk, shared.pk])).json()
    assert len(api["answers"]) == 153


def test_withdrawal_leaves_only_the_fact_and_the_audit_keeps_what_was_shared(answered, meti_edition):
    customer, customer_owner, supplier_org, supplier_owner, assessment = answered
    (shared,) = share(supplier_org, supplier_owner, customer, meti_edition, assessment, detail="full")
    services.share_withdraw(membership=membership_of(supplier_owner, supplier_org), actor=supplier_owner, share=shared)
    response = result_page(customer, customer_owner, shared)
    text = response.content.decode()
    assert response.status_code == 200
    assert "98.7" not in text and "Firewall" not in text
    shared.refresh_from_db()
    when = timezone.localtime(shared.shared_at).strftime("%Y-%m-%d %H:%M")
    ended = timezone.localtime(shared.ended_at).strftime("%Y-%m-%d %H:%M")
    # What only a withdrawn share's page says: who withdrew it, and when it was shared and withdrawn.
    assert (
        f"{supplier_org.name} はこの結果を {when} に共有し、{ended} に取り下げました。現在は見ることができません。"
        in text
    )
    assert "<table" not in text  # no scores, no answers
    api = client_for(customer_owner).get(reverse("api:result", args=[customer.pk, shared.pk])).json()
    assert api["state"] == "withdrawn" and "scores" not in api
    # The supplier's audit log keeps exactly what was shown, and when.
    shared_event = AuditEvent.objects.get(organisation=supplier_org, event="share.created")
    assert shared_event.after["scores"] == assessment.score_snapshot
    assert shared_event.after["detail"] == "full"
    withdrawn = AuditEvent.objects.get(organisation=supplier_org, event="share.withdrawn")
    assert withdrawn.before["shared_at"] == shared.shared_at.isoformat()
    # The customer's log says it was shared and withdrawn, never the scores.
    assert list(
        AuditEvent.objects.filter(organisation=customer, event__startswith="share.").values_list("event", flat=True)
    ) == [
        "share.withdrawn",
        "share.created",
    ]
    assert "scores" not in AuditEvent.objects.get(organisation=customer, event="share.created").after
    # And the list no longer shows it as shared.
    rows = (
        client_for(customer_owner).get(reverse("api:suppliers", args=[customer.pk]) + "?year=2026").json()["suppliers"]
    )
    assert rows[0]["status"] == "submitted" and rows[0]["shared"] is None


def test_a_shared_revision_stays_as_it_was_and_a_new_one_replaces_it(answered, meti_edition):
    customer, customer_owner, supplier_org, supplier_owner, assessment = answered
    membership = membership_of(supplier_owner, supplier_org)
    (first,) = share(supplier_org, supplier_owner, customer, meti_edition, assessment)
    revision = assessment_services.assessment_revise(membership=membership, actor=supplier_owner, assessment=assessment)
    answer_all(revision, not_done=0)
    assert result_page(customer, customer_owner, first).content.decode().count("98.7%") >= 1  # unchanged by the draft
    revision = assessment_services.assessment_submit(membership=membership, actor=supplier_owner, assessment=revision)
    (second,) = share(supplier_org, supplier_owner, customer, meti_edition, revision)
    first.refresh_from_db()
    assert (first.ended, second.assessment, second.weak, str(second.overall_rate)) == (
        "superseded",
        revision,
        False,
        "100.0",
    )
    # Sharing the same revision at the same detail again changes nothing.
    assert share(supplier_org, supplier_owner, customer, meti_edition, revision) == []


def test_only_submitted_assessments_of_an_accepted_request_can_be_shared(meti_edition):
    customer, customer_owner = company("Customer")
    supplier_org, supplier_owner = company("Supplier")
    add_supplier(customer, customer_owner, supplier_org)
    send_requests(customer, customer_owner, [customer.suppliers.get()], [meti_edition])
    accept(supplier_org, supplier_owner, customer, meti_edition)
    draft = supplier_org.assessments.get()
    with pytest.raises(services.Conflict, match="Submit the assessment first"):
        share(supplier_org, supplier_owner, customer, meti_edition, draft)


def test_sharing_is_limited_to_the_customers_in_the_chain_and_to_owners(answered, meti_edition, alpha):
    customer, _, supplier_org, supplier_owner, assessment = answered
    with pytest.raises(PermissionDenied):
        share(supplier_org, supplier_owner, customer, meti_edition, assessment, recipients=[alpha])
    assessor = make_user("assessor@supplier.example")
    add_member(supplier_org, assessor, "assessor")
    with pytest.raises(PermissionDenied):
        share(supplier_org, assessor, customer, meti_edition, assessment)
    assert not Share.objects.exists()


def test_the_share_form_on_the_inbox_page(answered, meti_edition):
    customer, _, supplier_org, supplier_owner, assessment = answered
    req = inbox_request(supplier_org, customer, meti_edition)
    client = client_for(supplier_owner)
    url = reverse("supplychain:request_share", args=[supplier_org.pk, req.pk])
    page = client.get(reverse("supplychain:inbox_request", args=[supplier_org.pk, req.pk])).content.decode()
    assert 'name="recipients"' in page and url in page
    response = client.post(url, {"assessment": assessment.pk, "detail": "summary", "recipients": [customer.pk]})
    assert response.status_code == 302
    assert Share.objects.get().recipient == customer
    # Posting an organisation outside the chain is refused by the form: nothing is shared.
    other, _ = company("Nosy Motors")
    response = client.post(url, {"assessment": assessment.pk, "detail": "full", "recipients": [other.pk]})
    assert response.status_code == 400
    assert Share.objects.count() == 1
