"""Verified company identity: a registered corporate number is a claim (issue 8, finding 1).

The review's scenario: a new account registers an organisation under a supplier's public
corporate number. It must not be linked into customers' lists, receive their requests, or
answer them; and the real company must be able to register, be verified and take its place.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Organisation
from keiretsu.conftest import client_for, make_organisation, make_user, membership_of, verify
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.lib.refusals import NotAllowed
from keiretsu.supplychain import services
from keiretsu.supplychain.models import AssessmentRequest, Share, Supplier, SupplyChainEvent
from keiretsu.supplychain.selectors.suppliers import Registration, registration_of

from .scenario import accept, add_supplier, company, pass_on, send_requests, submit

pytestmark = pytest.mark.django_db

NUMBER = with_check_digit("310000000001")  # the real supplier's (public) corporate number
REAL = {"name": "東海精機株式会社", "size_band": "small", "business_type": "parts", "tier": "2"}


@pytest.fixture
def customer(priority_edition, django_capture_on_commit_callbacks):
    """A customer lists the real supplier (not on Keiretsu yet) and asks it for its assessment."""
    org, owner = company("Customer Motors", Organisation.Tier.OEM)
    with django_capture_on_commit_callbacks(execute=True):
        supplier = services.supplier_add(
            membership=membership_of(owner, org),
            actor=owner,
            name="東海精機",
            corporate_number=NUMBER,
            contact_email="taro@tokai.example",
        )
        send_requests(org, owner, [supplier], [priority_edition])
    return org, owner, supplier


@pytest.fixture
def squatter(customer):
    """A fresh account registers an organisation under the supplier's number."""
    mallet = make_user("mallet@evil.example")
    return make_organisation(mallet, "東海精機株式会社", NUMBER[1:], verified=False), mallet


def invitation_link():
    message = next(m for m in mail.outbox if m.to == ["taro@tokai.example"])
    return re.search(r"https://keiretsu\.example(/supplier-invitations/\S+/)", message.body).group(1)


def test_registering_a_number_is_only_a_claim_and_links_nothing(customer, squatter):
    org, owner, supplier = customer
    claim, mallet = squatter
    assert claim.corporate_number == NUMBER and not claim.is_verified
    supplier.refresh_from_db()
    assert supplier.organisation_id is None
    assert registration_of(supplier) == Registration.UNVERIFIED


def test_the_squatter_receives_no_request(customer, squatter):
    claim, mallet = squatter
    client = client_for(mallet)
    assert client.get(reverse("api:inbox", args=[claim.pk]), {"state": "all"}).json() == {"requests": []}
    assert "Customer Motors" not in client.get(reverse("supplychain:inbox", args=[claim.pk])).content.decode()


def test_the_squatter_cannot_accept_decline_or_share(customer, squatter):
    claim, mallet = squatter
    request = AssessmentRequest.objects.get()
    client = client_for(mallet)
    for name in ("inbox_request", "request_accept", "request_decline", "request_share"):
        url = reverse(f"supplychain:{name}", args=[claim.pk, request.pk])
        response = client.get(url) if name == "inbox_request" else client.post(url, {"reason": "x"})
        assert response.status_code == 404, name
    request.refresh_from_db()
    assert request.status == AssessmentRequest.Status.PENDING


def test_a_customer_adding_the_number_later_is_not_linked_to_the_claim(squatter, priority_edition):
    other, other_owner = company("Other Motors")
    supplier = services.supplier_add(
        membership=membership_of(other_owner, other),
        actor=other_owner,
        name="東海精機",
        corporate_number=NUMBER,
        contact_email="taro@tokai.example",
    )
    assert supplier.organisation_id is None
    send_requests(other, other_owner, [supplier], [priority_edition])
    assert not AssessmentRequest.objects.filter(supplier__organisation=squatter[0]).exists()


def test_a_request_passed_on_to_the_number_does_not_reach_the_claim(customer, squatter, priority_edition):
    tier1, tier1_owner = company("Tier1")
    oem, oem_owner, _ = customer
    add_supplier(oem, oem_owner, tier1)
    send_requests(oem, oem_owner, [Supplier.objects.get(customer=oem, organisation=tier1)], [priority_edition])
    accept(tier1, tier1_owner, oem, priority_edition)
    services.supplier_add(
        membership=membership_of(tier1_owner, tier1),
        actor=tier1_owner,
        name="東海精機",
        corporate_number=NUMBER,
        contact_email="taro@tokai.example",
    )
    result = pass_on(tier1, tier1_owner, oem, priority_edition)
    assert len(result.created) == 1
    assert not AssessmentRequest.objects.filter(supplier__organisation=squatter[0]).exists()


def test_the_real_company_registers_is_verified_by_its_invitation_and_takes_its_place(customer, squatter):
    org, owner, supplier = customer
    taro = make_user("taro@tokai.example")
    response = client_for(taro).post(invitation_link(), REAL)
    assert response.status_code == 302
    real = Organisation.objects.get(corporate_number=NUMBER, verified_at__isnull=False)
    assert real.verified_via == Organisation.Verification.INVITATION
    assert real != squatter[0]
    supplier.refresh_from_db()
    assert supplier.organisation == real
    inbox = client_for(taro).get(reverse("api:inbox", args=[real.pk])).json()["requests"]
    assert [r["customer"] for r in inbox] == ["Customer Motors"]
    # The claim is still there, unverified and linked to nothing.
    assert Organisation.objects.filter(corporate_number=NUMBER).count() == 2
    assert not Supplier.objects.filter(organisation=squatter[0]).exists()


def test_the_real_company_can_register_on_its_own_and_be_verified_by_its_industry_body(customer, squatter):
    taro = make_user("taro@tokai.example")
    response = client_for(taro).post(
        reverse("accounts:organisation_create"), {**REAL, "corporate_number": NUMBER}
    )
    assert response.status_code == 302  # no "an organisation with this corporate number already exists"
    real = Organisation.objects.get(corporate_number=NUMBER, memberships__user=taro)
    assert not real.is_verified and not Supplier.objects.filter(organisation=real).exists()
    body = make_organisation(make_user("body@japia.example"), "JAPIA", "320000000002")
    Organisation.objects.filter(pk=body.pk).update(is_industry_body=True)
    body_owner = body.memberships.get().user
    services.organisation_verify(
        actor=body_owner,
        organisation=real,
        via=Organisation.Verification.INDUSTRY_BODY,
        note="Registry extract and a call to the listed number",
        body_membership=membership_of(body_owner, body),
    )
    supplier = customer[2]
    supplier.refresh_from_db()
    assert supplier.organisation == real
    verified = AuditEvent.objects.filter(event=SupplyChainEvent.ORGANISATION_VERIFIED, target_id=str(real.pk))
    assert {e.organisation_id for e in verified} == {real.pk, body.pk}
    assert verified.first().after["note"] == "Registry extract and a call to the listed number"


def test_only_one_organisation_is_verified_for_a_number(customer, squatter):
    claim = squatter[0]
    real = make_organisation(make_user("taro@tokai.example"), "東海精機", NUMBER[1:], verified=True)
    with pytest.raises(services.Conflict):
        verify(claim)
    claim.refresh_from_db()
    assert not claim.is_verified and real.is_verified


def test_verifying_needs_the_administrator_or_an_industry_body_and_a_note(squatter):
    claim, mallet = squatter
    with pytest.raises(NotAllowed):
        services.organisation_verify(actor=mallet, organisation=claim, via=Organisation.Verification.ADMINISTRATOR, note="me")
    own = membership_of(mallet, claim)
    with pytest.raises(NotAllowed):  # an ordinary organisation is no industry body
        services.organisation_verify(
            actor=mallet, organisation=claim, via=Organisation.Verification.INDUSTRY_BODY, note="me", body_membership=own
        )
    with pytest.raises(services.SupplyChainError):
        verify(claim, note="  ")
    claim.refresh_from_db()
    assert not claim.is_verified


# --- A customer links an unverified registration by hand, then the real company is verified ----


@pytest.fixture
def linked_by_hand(customer, squatter, priority_edition):
    org, owner, supplier = customer
    claim, mallet = squatter
    services.supplier_link_claim(
        membership=membership_of(owner, org), actor=owner, supplier=supplier, organisation=claim, acknowledged=True
    )
    return org, owner, supplier, claim, mallet


def test_the_customer_sees_registered_not_verified_and_may_link_it_with_a_warning(customer, squatter):
    org, owner, supplier = customer
    claim, _ = squatter
    page = client_for(owner).get(reverse("supplychain:supplier_detail", args=[org.pk, supplier.pk])).content.decode()
    assert "登録済み（未確認）" in page
    response = client_for(owner).post(
        reverse("supplychain:supplier_link_claim", args=[org.pk, supplier.pk]), {"organisation": claim.pk}
    )
    assert response.status_code == 400  # the warning must be acknowledged
    supplier.refresh_from_db()
    assert supplier.organisation_id is None
    response = client_for(owner).post(
        reverse("supplychain:supplier_link_claim", args=[org.pk, supplier.pk]),
        {"organisation": claim.pk, "acknowledged": "on"},
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.organisation == claim
    event = AuditEvent.objects.get(organisation=org, event=SupplyChainEvent.SUPPLIER_LINKED_UNVERIFIED)
    # The warning as the customer read it (the page was in Japanese).
    assert event.after["verified"] is False and "この登録は未確認です" in event.after["warning"]
    assert registration_of(supplier) == Registration.LINKED_UNVERIFIED


def test_another_customer_cannot_link_through_someone_elses_entry(customer, squatter, mallory, beta):
    org, owner, supplier = customer
    response = client_for(mallory).post(
        reverse("supplychain:supplier_link_claim", args=[beta.pk, supplier.pk]),
        {"organisation": squatter[0].pk, "acknowledged": "on"},
    )
    assert response.status_code == 404


def test_when_the_number_is_verified_the_claim_is_detached_everywhere(
    linked_by_hand, priority_edition, django_capture_on_commit_callbacks, monkeypatch
):
    org, owner, supplier, claim, mallet = linked_by_hand
    accept(claim, mallet, org, priority_edition)
    assessment = submit(claim, mallet, priority_edition)
    request = AssessmentRequest.objects.get(requester=org)
    services.share_create(
        membership=membership_of(mallet, claim), actor=mallet, request=request, assessment=assessment,
        detail="summary", recipients=[org],
    )
    # The claim passes the request on to a supplier of its own (as a claim linked before the
    # rules on e-mail to other companies could have: an unverified one may not send any now).
    victim, _ = company("Victim Tier2")
    add_supplier(claim, mallet, victim)
    with pytest.raises(NotAllowed):
        pass_on(claim, mallet, org, priority_edition)
    from keiretsu.supplychain import outgoing

    monkeypatch.setattr(outgoing, "may_mail_outside", lambda organisation: True)
    passed = pass_on(claim, mallet, org, priority_edition).created
    monkeypatch.undo()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        real = make_organisation(make_user("taro@tokai.example"), "東海精機", NUMBER[1:], verified=True)

    supplier.refresh_from_db()
    request.refresh_from_db()
    assert supplier.organisation == real
    assert request.status == AssessmentRequest.Status.PENDING and request.responded_by is None
    share = Share.objects.get(organisation=claim)
    assert share.ended == Share.Ended.DETACHED and share.ended_at is not None
    child = AssessmentRequest.objects.get(pk=passed[0].pk)
    assert child.parent_id is None and child.is_current  # the claim's own request, out of the customer's tree
    for where in (org, claim):
        event = AuditEvent.objects.get(organisation=where, event=SupplyChainEvent.CLAIM_DETACHED)
        assert event.after["requests_reset"] == [request.pk] and event.after["shares_ended"] == [share.pk]
    (notice,) = [m for m in mail.outbox if m.to == ["mallet@evil.example"]]
    assert "確認されていません" in notice.body and NUMBER in notice.body  # the instance's language
    # The real company now receives the request; the claim's inbox is empty.
    assert AssessmentRequest.objects.filter(supplier__organisation=real).count() == 1
    assert client_for(mallet).get(reverse("api:inbox", args=[claim.pk]), {"state": "all"}).json() == {"requests": []}


def test_the_customer_may_undo_its_link(linked_by_hand):
    org, owner, supplier, claim, _ = linked_by_hand
    response = client_for(owner).post(reverse("supplychain:supplier_unlink_claim", args=[org.pk, supplier.pk]))
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.organisation_id is None


def test_a_verified_organisation_cannot_change_its_number(customer):
    real = make_organisation(make_user("taro@tokai.example"), "東海精機", NUMBER[1:], verified=True)
    owner = real.memberships.get().user
    from django.core.exceptions import ValidationError

    from keiretsu.accounts import services as account_services

    with pytest.raises(ValidationError):
        account_services.organisation_update(
            membership=membership_of(owner, real), actor=owner, corporate_number=with_check_digit("330000000003")
        )


def test_a_link_made_before_verification_existed_reads_not_verified(customer, squatter):
    """Existing links stay: an unverified organisation linked before verification existed is
    shown as linked, not verified, and receives what it received."""
    org, owner, supplier = customer
    Supplier.objects.filter(pk=supplier.pk).update(organisation=squatter[0])
    supplier.refresh_from_db()
    assert registration_of(supplier) == Registration.LINKED_UNVERIFIED


def test_invitation_accepted_by_the_owner_of_a_claim_verifies_that_claim(customer):
    """The legitimate company that registered first, unverified, is verified by its invitation."""
    taro = make_user("taro@tokai.example")
    own = make_organisation(taro, "東海精機", NUMBER[1:], verified=False)
    response = client_for(taro).post(invitation_link(), {})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.is_verified and own.verified_via == Organisation.Verification.INVITATION
    assert Organisation.objects.filter(corporate_number=NUMBER).count() == 1


def test_the_invitation_cannot_be_taken_when_another_organisation_is_verified(customer):
    make_organisation(make_user("owner@real.example"), "東海精機", NUMBER[1:], verified=True)
    taro = make_user("taro@tokai.example")
    response = client_for(taro).get(invitation_link())
    assert response.status_code == 410  # the entry is linked to the verified company already

