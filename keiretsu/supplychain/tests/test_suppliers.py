"""Changing and removing a supplier on the customer's list, and inviting one: the write paths."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.conftest import client_for, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import services
from keiretsu.supplychain.models import Supplier, SupplierInvitation

from .scenario import DUE, TODAY, add_supplier, company, send_requests

pytestmark = pytest.mark.django_db

NUMBER = with_check_digit("400000000004")
OTHER_NUMBER = with_check_digit("400000000005")


@pytest.fixture
def owner(alpha, alice):
    return membership_of(alice, alpha)


@pytest.fixture
def unlinked(owner, django_capture_on_commit_callbacks):
    """A supplier not on Keiretsu, invited (one e-mail sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.supplier_add(
            membership=owner,
            actor=owner.user,
            name="東海精機",
            corporate_number=NUMBER,
            contact_email="taro@tokai.example",
        )


def update(owner, supplier, **fields):
    return services.supplier_update(membership=owner, actor=owner.user, supplier=supplier, **fields)


def test_correcting_the_number_of_an_unlinked_supplier_sends_a_new_invitation(
    owner, unlinked, django_capture_on_commit_callbacks
):
    first = SupplierInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        update(owner, unlinked, corporate_number=OTHER_NUMBER, note="番号を訂正")
    unlinked.refresh_from_db()
    assert (unlinked.corporate_number, unlinked.note) == (OTHER_NUMBER, "番号を訂正")
    first.refresh_from_db()
    assert first.revoked_at is not None  # bound to the old number: replaced
    newest = SupplierInvitation.objects.filter(revoked_at=None).get()
    assert (newest.corporate_number, newest.email) == (OTHER_NUMBER, "taro@tokai.example")
    assert len(mail.outbox) == 2
    event = AuditEvent.objects.get(event="supplier.updated")
    assert (event.before["corporate_number"], event.after["corporate_number"]) == (NUMBER, OTHER_NUMBER)


def test_a_new_contact_address_gets_the_invitation_and_the_old_link_stops(
    owner, unlinked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update(owner, unlinked, contact_email="Hanako@Tokai.example")
    assert [m.to for m in mail.outbox] == [["taro@tokai.example"], ["hanako@tokai.example"]]
    assert list(SupplierInvitation.objects.filter(revoked_at=None).values_list("email", flat=True)) == [
        "hanako@tokai.example"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        update(owner, unlinked, note="")  # nothing changed: no row, no e-mail
    assert len(mail.outbox) == 2 and AuditEvent.objects.filter(event="supplier.updated").count() == 1


def test_the_number_is_locked_once_the_supplier_is_asked_or_linked(owner, unlinked, priority_edition, alpha, alice):
    send_requests(alpha, alice, [unlinked], [priority_edition], due=DUE, today=TODAY)
    with pytest.raises(ValidationError) as caught:
        update(owner, unlinked, corporate_number=OTHER_NUMBER)
    assert "corporate_number" in caught.value.message_dict
    linked_org, _ = company("Linked Co")
    linked = add_supplier(alpha, alice, linked_org)
    with pytest.raises(ValidationError):
        update(owner, linked, corporate_number=OTHER_NUMBER)
    assert set(Supplier.objects.values_list("corporate_number", flat=True)) == {NUMBER, linked_org.corporate_number}
    # The form shows the number read-only, as the service enforces it.
    page = client_for(alice).get(reverse("supplychain:supplier_edit", args=[alpha.pk, unlinked.pk])).content.decode()
    assert 'name="corporate_number"' in page and "disabled" in page
    assert not AuditEvent.objects.filter(event="supplier.updated").exists()


def test_a_supplier_with_requests_stays_on_the_list(owner, unlinked, priority_edition, alpha, alice):
    send_requests(alpha, alice, [unlinked], [priority_edition], due=DUE, today=TODAY)
    with pytest.raises(services.Conflict, match="history"):
        services.supplier_remove(membership=owner, actor=alice, supplier=unlinked)
    response = client_for(alice).post(reverse("supplychain:supplier_remove", args=[alpha.pk, unlinked.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    assert Supplier.objects.filter(pk=unlinked.pk).exists()
    assert not AuditEvent.objects.filter(event="supplier.removed").exists()


def test_a_supplier_without_requests_is_removed_and_the_log_keeps_it(owner, unlinked, alice):
    services.supplier_remove(membership=owner, actor=alice, supplier=unlinked)
    assert not Supplier.objects.exists()
    event = AuditEvent.objects.get(event="supplier.removed")
    assert event.before["corporate_number"] == NUMBER and event.actor == alice


def test_a_linked_supplier_needs_no_invitation(owner, alpha, alice, django_capture_on_commit_callbacks):
    linked_org, _ = company("Linked Co")
    linked = add_supplier(alpha, alice, linked_org)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.Conflict, match="already on Keiretsu"),
    ):
        services.supplier_invite(membership=owner, actor=alice, supplier=linked)
    assert not SupplierInvitation.objects.exists() and mail.outbox == []
    assert not AuditEvent.objects.filter(event="supplier.invited").exists()
