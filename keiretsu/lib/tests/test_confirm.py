"""Asking before what cannot be undone (lib/confirm.py): without JavaScript a page, with htmx
the dialog's content; nothing changes until the person confirms; another organisation's
object is still a 404, before any question."""

import pytest
from django.urls import reverse

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, MemberInvitation
from keiretsu.api.models import ApiToken
from keiretsu.api.services import api_token_create
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_removing_a_member_asks_first_then_removes(alpha, alice, bob):
    member = membership_of(bob, alpha)
    url = reverse("accounts:member_remove", args=[alpha.pk, member.pk])
    client = client_for(alice)

    page = client.post(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<html" in body and bob.email in body
    assert 'name="confirmed" value="1"' in body and f'action="{url}"' in body
    assert reverse("accounts:members", args=[alpha.pk]) in body  # the way back, without removing
    assert Membership.objects.filter(pk=member.pk).exists()

    dialog = client.post(url, **HTMX)
    assert dialog.status_code == 200
    assert "<html" not in dialog.content.decode() and 'formmethod="dialog"' in dialog.content.decode()
    assert Membership.objects.filter(pk=member.pk).exists()

    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_another_organisations_member_is_404_before_any_question(alpha, bob, mallory, beta):
    member = membership_of(bob, alpha)
    for org in (alpha, beta):
        url = reverse("accounts:member_remove", args=[org.pk, member.pk])
        assert client_for(mallory).post(url).status_code == 404
    assert Membership.objects.filter(pk=member.pk).exists()


def test_revoking_a_token_asks_first(alice, mallory):
    token, _secret = api_token_create(user=alice, name="経理システム連携")
    url = reverse("api_token_revoke", args=[token.pk])
    page = client_for(alice).post(url)
    assert page.status_code == 200 and "経理システム連携" in page.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client_for(mallory).post(url, {"confirmed": "1"}).status_code == 404
    assert client_for(alice).post(url, {"confirmed": "1"}).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_withdrawing_an_invitation_asks_first(alpha, alice):
    invitation, _link = account_services.member_invite(
        membership=membership_of(alice, alpha), actor=alice, email="new@example.com", role="assessor")
    url = reverse("accounts:invitation_revoke", args=[alpha.pk, invitation.pk])
    page = client_for(alice).post(url)
    assert page.status_code == 200 and "new@example.com" in page.content.decode()
    assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is None
    client_for(alice).post(url, {"confirmed": "1"})
    assert MemberInvitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_the_question_carries_the_fields_of_the_form_it_asks_about(alpha, alice, bob):
    member = membership_of(bob, alpha)
    url = reverse("accounts:member_remove", args=[alpha.pk, member.pk])
    body = client_for(alice).post(url, {"next": "/o/1/", "confirmed": "0"}).content.decode()
    assert '<input type="hidden" name="next" value="/o/1/">' in body
    assert body.count('name="confirmed"') == 1
