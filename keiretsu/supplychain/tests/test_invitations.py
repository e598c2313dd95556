"""Supplier invitations: single use, expiring, bound to one e-mail address and one corporate number."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from keiretsu.accounts.models import Membership, Organisation, Role
from keiretsu.conftest import client_for, make_organisation, make_user, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import services
from keiretsu.supplychain.models import AssessmentRequest, Supplier, SupplierInvitation

from .scenario import DUE, TODAY, send_requests

pytestmark = pytest.mark.django_db

NUMBER = with_check_digit("400000000004")
REGISTRATION = {"name": "東海精機株式会社", "size_band": "small", "business_type": "parts", "tier": "2"}


@pytest.fixture
def invited(alpha, alice, priority_edition, django_capture_on_commit_callbacks):
    """Alpha adds a supplier that is not on Keiretsu, and asks it for the priority items."""
    with django_capture_on_commit_callbacks(execute=True):
        supplier = services.supplier_add(
            membership=membership_of(alice, alpha),
            actor=alice,
            name="東海精機",
            corporate_number=NUMBER,
            contact_email="Taro@Tokai.example",
            language="en",
        )
        send_requests(alpha, alice, [supplier], [priority_edition], due=DUE, today=TODAY)
    return supplier


def link_in(message):
    return re.search(r"https://keiretsu\.example(/supplier-invitations/\S+/)", message.body).group(1)


def test_the_invitation_email_is_in_the_contacts_language_and_holds_a_single_use_link(invited):
    (message,) = mail.outbox
    assert message.to == ["taro@tokai.example"]
    assert message.subject == "Keiretsu: invitation to a cybersecurity self-assessment from Alpha Parts"
    assert "Sent by alice@alpha.example, an address verified on Keiretsu" in message.body
    assert NUMBER in message.body
    invitation = SupplierInvitation.objects.get()
    assert invitation.token_hash and invitation.sent_at
    assert link_in(message).split("/")[2] not in invitation.token_hash  # only the hash is stored


def test_anonymous_visitors_are_asked_to_sign_in_or_sign_up_with_the_invited_address(invited, client):
    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "email=taro%40tokai.example" in text


def test_another_address_is_refused(invited, mallory):
    response = client_for(mallory).get(link_in(mail.outbox[0]))
    assert response.status_code == 403
    assert "taro@tokai.example" in response.content.decode()
    response = client_for(mallory).post(link_in(mail.outbox[0]), REGISTRATION)
    assert response.status_code == 403
    assert not Organisation.objects.filter(corporate_number=NUMBER).exists()


def test_accepting_registers_the_company_with_the_bound_number_and_links_it(invited, alpha):
    taro = make_user("taro@tokai.example")
    client = client_for(taro)
    link = link_in(mail.outbox[0])
    response = client.post(link, {**REGISTRATION, "corporate_number": with_check_digit("999999999999")})
    organisation = Organisation.objects.get(name="東海精機株式会社")
    assert response.status_code == 302
    assert response["Location"] == reverse("supplychain:inbox", args=[organisation.pk])
    assert organisation.corporate_number == NUMBER  # the invitation's, whatever was posted
    assert Membership.objects.get(organisation=organisation).user == taro
    invited.refresh_from_db()
    assert invited.organisation == organisation
    # The pending request is now in its inbox.
    inbox = client.get(reverse("supplychain:inbox", args=[organisation.pk])).content.decode()
    assert "Alpha Parts" in inbox
    assert AssessmentRequest.objects.get().supplier.organisation == organisation
    # The link is single-use.
    again = client.get(link)
    assert again.status_code == 410


def test_a_used_link_is_refused(invited):
    taro = make_user("taro@tokai.example")
    link = link_in(mail.outbox[0])
    token = link.split("/")[2]
    services.invitation_accept(user=taro, token=token, registration=REGISTRATION)
    with pytest.raises(services.InvitationProblem, match="already been used"):
        services.invitation_accept(user=taro, token=token, registration=REGISTRATION)


def test_an_expired_link_is_refused(invited):
    link = link_in(mail.outbox[0])
    taro = make_user("taro@tokai.example")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=14, minutes=1)):
        response = client_for(taro).post(link, REGISTRATION)
    assert response.status_code == 410
    assert "expired" in response.content.decode() or "期限" in response.content.decode()
    assert not Organisation.objects.filter(corporate_number=NUMBER).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=13, hours=23)):
        assert client_for(taro).get(link).status_code == 200


def test_sending_again_replaces_the_old_link(invited, alpha, alice, django_capture_on_commit_callbacks):
    old = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.supplier_invite(membership=membership_of(alice, alpha), actor=alice, supplier=invited)
    new = link_in(mail.outbox[1])
    taro = make_user("taro@tokai.example")
    assert client_for(taro).get(old).status_code == 410
    assert client_for(taro).get(new).status_code == 200


def test_an_unknown_link_is_refused(client):
    assert client.get(reverse("supplychain:invitation", args=["not-a-token"])).status_code == 410


def test_a_company_registering_on_its_own_is_linked_and_the_invitation_is_then_moot(
    invited, django_capture_on_commit_callbacks
):
    taro = make_user("taro@tokai.example")
    other_owner = make_user("boss@tokai.example")
    with django_capture_on_commit_callbacks(execute=True):
        organisation = make_organisation(other_owner, "東海精機", NUMBER[1:], tier=2)
    # Registration linked it at once (same corporate number).
    invited.refresh_from_db()
    assert invited.organisation == organisation
    # So the invitation is no longer needed.
    response = client_for(taro).get(link_in(mail.outbox[0]))
    assert response.status_code == 410


def test_a_member_who_is_not_an_owner_cannot_accept_for_the_company(alpha, alice, django_capture_on_commit_callbacks):
    boss = make_user("boss@sanko.example")
    with django_capture_on_commit_callbacks(execute=True):
        supplier = services.supplier_add(
            membership=membership_of(alice, alpha),
            actor=alice,
            name="Sanko",
            corporate_number=NUMBER,
            contact_email="viewer@sanko.example",
        )
    token = link_in(mail.outbox[0]).split("/")[2]
    # The company is on Keiretsu under this number (not yet linked to Alpha's entry) and the
    # invited person is only a viewer there:
    organisation = make_organisation(boss, "Sanko", "400000000005")
    Organisation.objects.filter(pk=organisation.pk).update(corporate_number=NUMBER)
    viewer = make_user("viewer@sanko.example")
    Membership.objects.create(user=viewer, organisation=organisation, role=Role.VIEWER)
    with pytest.raises(services.Conflict, match="Ask one of its owners"):
        services.invitation_accept(user=viewer, token=token)
    supplier.refresh_from_db()
    assert supplier.organisation is None


def test_adding_a_supplier_already_on_keiretsu_links_it_without_an_invitation(
    alpha, alice, beta, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        supplier = services.supplier_add(
            membership=membership_of(alice, alpha),
            actor=alice,
            name="Beta",
            corporate_number=beta.corporate_number,
            contact_email="m@beta.example",
        )
    assert supplier.organisation == beta
    assert not SupplierInvitation.objects.exists()
    assert mail.outbox == []


def test_registering_independently_links_every_customers_entry(
    alpha, alice, beta, mallory, django_capture_on_commit_callbacks
):
    for customer, owner in ((alpha, alice), (beta, mallory)):
        services.supplier_add(
            membership=membership_of(owner, customer),
            actor=owner,
            name="Tokai",
            corporate_number=NUMBER,
            contact_email="taro@tokai.example",
        )
    taro = make_user("taro@tokai.example")
    with django_capture_on_commit_callbacks(execute=True):
        organisation = make_organisation(taro, "Tokai", NUMBER[1:])
    assert set(Supplier.objects.values_list("customer__name", "organisation")) == {
        ("Alpha Parts", organisation.pk),
        ("Beta Motors", organisation.pk),
    }
