"""An industry body (its page), and the instance administrator (Django admin and `keiretsu identity`),
verify an organisation for its corporate number: audited, with a note."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Role, User
from keiretsu.conftest import add_member, client_for, give_totp, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    """Two registrations of one corporate number; neither verified."""
    first = make_organisation(make_user("a@claim.example"), "東海精機株式会社", "340000000004", verified=False)
    second = make_organisation(make_user("b@claim.example"), "東海精機（偽）", "340000000004", verified=False)
    return first, second


def test_the_body_finds_the_registrations_of_a_number_and_verifies_one(body, iris, claims):
    first, second = claims
    client = client_for(iris)
    page = client.get(reverse("benchmark:identity", args=[body.pk]), {"q": first.corporate_number}).content.decode()
    assert "東海精機株式会社" in page and "東海精機（偽）" in page and "この番号の登録 2 件" in page
    url = reverse("benchmark:identity_verify", args=[body.pk, first.pk])
    assert client.post(url, {"note": ""}).status_code == 302  # refused: a note is required
    first.refresh_from_db()
    assert not first.is_verified
    client.post(url, {"note": "Member company; called the number in our register"})
    first.refresh_from_db()
    assert first.is_verified and first.verified_via == "industry_body"
    assert first.verification_note == "Member company; called the number in our register"
    event = AuditEvent.objects.get(organisation=body, event="organisation.verified", target_id=str(first.pk))
    assert event.actor == iris and event.after["by"] == body.name
    # The second claim of the number can no longer be verified.
    client.post(reverse("benchmark:identity_verify", args=[body.pk, second.pk]), {"note": "x"})
    second.refresh_from_db()
    assert not second.is_verified


def test_only_an_industry_bodys_owners_verify(body, claims, alpha, alice):
    first, _ = claims
    # Another organisation (not a body): the page does not exist for it.
    assert client_for(alice).get(reverse("benchmark:identity", args=[alpha.pk])).status_code == 404
    response = client_for(alice).post(reverse("benchmark:identity_verify", args=[alpha.pk, first.pk]), {"note": "x"})
    assert response.status_code == 404
    # A viewer of the body sees the page but cannot verify.
    viewer = make_user("viewer@body.example")
    add_member(body, viewer, Role.VIEWER)
    assert client_for(viewer).get(reverse("benchmark:identity", args=[body.pk])).status_code == 200
    client_for(viewer).post(reverse("benchmark:identity_verify", args=[body.pk, first.pk]), {"note": "x"})
    first.refresh_from_db()
    assert not first.is_verified


def test_the_body_page_lists_the_latest_unverified_registrations(body, iris, claims):
    page = client_for(iris).get(reverse("benchmark:identity", args=[body.pk])).content.decode()
    assert "東海精機（偽）" in page
    assert "一般社団法人 テスト自動車工業会" not in page.split("<tbody>")[1]  # verified: not listed


def test_the_admin_action_asks_for_a_note_then_verifies_with_audit(claims):
    first, _ = claims
    admin = User.objects.create_superuser("root@instance.example", "not used in tests")
    give_totp(admin)  # staff must have a second factor
    client = client_for(admin)
    url = reverse("admin:benchmark_industrybody_changelist")
    page = client.post(url, {"action": "verify_identity", "_selected_action": [first.pk]})
    assert page.status_code == 200 and "note" in page.content.decode()
    first.refresh_from_db()
    assert not first.is_verified
    response = client.post(
        url, {"action": "verify_identity", "_selected_action": [first.pk], "apply": "1", "note": "Registry extract"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.is_verified and first.verified_via == "administrator"
    event = AuditEvent.objects.get(organisation=first, event="organisation.verified")
    assert event.actor == admin and event.after["note"] == "Registry extract"


def test_the_command_lists_and_verifies(claims):
    first, second = claims
    admin = User.objects.create_superuser("root@instance.example", "not used in tests")
    out = io.StringIO()
    call_command("identity", "list", first.corporate_number, stdout=out)
    assert out.getvalue().count("not verified") == 2
    with pytest.raises(CommandError):  # not a staff account
        call_command("identity", "verify", str(first.pk), "--note", "x", "--as", "a@claim.example")
    call_command("identity", "verify", str(first.pk), "--note", "Phoned", "--as", admin.email, stdout=io.StringIO())
    first.refresh_from_db()
    assert first.is_verified
    with pytest.raises(CommandError, match="already verified"):
        call_command("identity", "verify", str(second.pk), "--note", "x", "--as", admin.email)
