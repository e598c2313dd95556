"""Second factors, re-authentication, the organisation's "require MFA" setting, sessions and
the security audit (accounts.security; docs/security.md)."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Organisation
from keiretsu.accounts.security import organisation_set_require_mfa
from keiretsu.api.services import api_token_create
from keiretsu.conftest import PASSWORD, client_for, give_totp, make_user, membership_of, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def password_step(client, user, address="192.0.2.10"):
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302
    return response


def test_sign_in_with_a_totp_code(client, alpha, alice):
    secret = give_totp(alice)
    response = password_step(client, alice)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone does not sign in
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, REMOTE_ADDR="192.0.2.10")
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)
    signed_in = AuditEvent.objects.get(event="account.signed_in", organisation=alpha)
    assert signed_in.after == {"address": "192.0.2.10"}


def test_a_totp_code_cannot_be_replayed(alice):
    secret = give_totp(alice)
    code = totp_code(secret)
    first = Client()
    password_step(first, alice)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert first.session["_auth_user_id"] == str(alice.pk)
    second = Client()  # someone who saw the code over the shoulder, within the same 30 seconds
    password_step(second, alice)
    replay = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200 and "_auth_user_id" not in second.session


def test_ten_wrong_codes_then_even_the_right_one_waits(client, alice, settings):
    secret = give_totp(alice)
    password_step(client, alice)
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    refused = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_activating_totp_gives_recovery_codes_and_is_audited(alpha, alice):
    client = client_for(alice)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=alice).values_list("type", flat=True)) == {"totp", "recovery_codes"}
    added = AuditEvent.objects.filter(event="account.mfa_added", organisation=alpha)
    assert {event.after["kind"] for event in added} >= {"totp"}


def test_removing_a_second_factor_needs_re_authentication(alice):
    give_totp(alice)
    client = client_for(alice, reauthenticated=False)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert Authenticator.objects.filter(user=alice, type="totp").exists()


def test_the_last_second_factor_stays_where_the_organisation_requires_one(alpha, alice):
    give_totp(alice)
    organisation_set_require_mfa(membership=membership_of(alice, alpha), actor=alice, require=True)
    client = client_for(alice)
    response = client.post(reverse("mfa_deactivate_totp"), follow=True)
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    assert "Alpha Parts" in response.content.decode()  # the message says which organisation requires it


def test_without_such_a_requirement_the_factor_can_be_removed(alpha, alice):
    give_totp(alice)
    client = client_for(alice)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=alice, type="totp").exists()
    assert AuditEvent.objects.filter(event="account.mfa_removed", organisation=alpha).exists()


def test_an_owner_requires_mfa_and_a_member_without_it_is_sent_to_set_it_up(alpha, alice, bob):
    give_totp(alice)
    url = reverse("accounts:organisation_security", args=[alpha.pk])
    owner = client_for(alice)
    assert owner.post(url, {"require_mfa": "on"}).status_code == 302
    alpha.refresh_from_db()
    assert alpha.require_mfa
    event = AuditEvent.objects.get(event="organisation.security_changed")
    assert (event.actor, event.before, event.after) == (alice, {"require_mfa": False}, {"require_mfa": True})

    member = client_for(bob)
    response = member.get(reverse("assessments:dashboard", args=[alpha.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    api = member.get(f"/api/v1/o/{alpha.pk}/assessments/")
    assert api.status_code == 403 and "two-factor" in api.json()["error"]
    assert owner.get(reverse("assessments:dashboard", args=[alpha.pk])).status_code == 200


def test_an_api_token_is_refused_where_the_organisation_requires_mfa_and_says_why(alpha, alice, bob):
    give_totp(alice)
    _token, secret = api_token_create(user=bob, name="script")
    organisation_set_require_mfa(membership=membership_of(alice, alpha), actor=alice, require=True)
    response = Client().get(f"/api/v1/o/{alpha.pk}/assessments/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403
    assert response.json()["reason"] == "mfa_required" and "two-factor" in response.json()["error"]
    give_totp(bob)
    again = Client().get(f"/api/v1/o/{alpha.pk}/assessments/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert again.status_code == 200


def test_only_an_owner_with_mfa_may_require_it(alpha, alice, bob):
    url = reverse("accounts:organisation_security", args=[alpha.pk])
    assert client_for(bob).post(url, {"require_mfa": "on"}).status_code == 403
    response = client_for(alice).post(url, {"require_mfa": "on"})
    assert response.status_code == 200  # refused with a message: set yours up first
    assert not Organisation.objects.get(pk=alpha.pk).require_mfa
    assert client_for(alice, reauthenticated=False).get(url)["Location"].startswith("/accounts/reauthenticate/")
    assert client_for(mallory_of_beta := make_user("m@beta.example")).get(url).status_code == 404  # noqa: F841


def test_staff_must_have_a_second_factor(client):
    admin = make_user("root@example.jp")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200
    give_totp(admin)
    client = client_for(admin)
    assert client.get("/admin/").status_code == 200


def test_member_changes_need_re_authentication(alpha, alice, bob):
    client = client_for(alice, reauthenticated=False)
    member = membership_of(bob, alpha)
    response = client.post(reverse("accounts:member_role", args=[alpha.pk, member.pk]), {"role": "viewer"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    member.refresh_from_db()
    assert member.role == "assessor"


def test_api_token_creation_needs_re_authentication_and_is_audited(alpha, alice):
    client = client_for(alice, reauthenticated=False)
    assert client.post(reverse("api_tokens"), {"name": "x"})["Location"].startswith("/accounts/reauthenticate/")
    assert not alice.api_tokens.exists()
    client = client_for(alice)
    assert client.post(reverse("api_tokens"), {"name": "x"}).status_code == 200
    assert AuditEvent.objects.filter(event="account.api_token_created", organisation=alpha).count() == 1


def test_the_member_list_shows_last_sign_in_and_second_factor(alpha, alice, bob, django_assert_max_num_queries):
    give_totp(bob)
    page = client_for(alice).get(reverse("accounts:members", args=[alpha.pk])).content.decode()
    assert page.count("badge ok") == 1 and page.count("badge warn") == 2  # bob on; alice and vera off


@pytest.fixture
def production_sessions(settings):
    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 30, 12
    settings.SESSION_COOKIE_AGE = 12 * 3600


def test_an_idle_session_ends(alpha, alice, settings, production_sessions):
    client = client_for(alice)
    url = reverse("assessments:dashboard", args=[alpha.pk])
    assert client.get(url).status_code == 200
    session = client.session
    session["keiretsu_seen_at"] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 1
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(alpha, alice, settings, production_sessions):
    client = client_for(alice)
    session = client.session
    session["keiretsu_auth_at"] = int(time.time()) - settings.SESSION_MAX_HOURS * 3600 - 1
    session.save()
    response = client.get(reverse("assessments:dashboard", args=[alpha.pk]))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_sign_out_everywhere_ends_every_session(alpha, alice):
    phone = Client()
    password_step(phone, alice)
    laptop = Client()
    password_step(laptop, alice, address="192.0.2.11")
    assert laptop.post(reverse("accounts:sign_out_everywhere")).status_code == 302
    assert phone.get(reverse("assessments:dashboard", args=[alpha.pk])).status_code == 302  # signed out too
    assert AuditEvent.objects.filter(event="account.signed_out_everywhere", organisation=alpha).count() == 1


def test_owners_filter_the_audit_log_to_sign_ins_and_security(client, alpha, alice):
    password_step(Client(), alice)
    Client().post(LOGIN, {"login": alice.email, "password": "wrong-password"}, REMOTE_ADDR="203.0.113.8")
    page = client_for(alice).get(reverse("accounts:audit_log", args=[alpha.pk]), {"event": "security"})
    assert page.status_code == 200 and "203.0.113.8" in page.content.decode()
    shown = {row.event.event for row in page.context["rows"]}
    assert shown == {"account.signed_in", "account.sign_in_failed"}  # not the organisation's creation


def test_another_persons_security_key_answers_404(alice, bob):
    key = Authenticator.objects.create(user=bob, type=Authenticator.Type.WEBAUTHN, data={"name": "bob's key"})
    client = client_for(alice)
    for url in (f"/accounts/2fa/webauthn/keys/{key.pk}/remove/", f"/accounts/2fa/webauthn/keys/{key.pk}/edit/"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_signing_in_with_a_recovery_code_is_audited(alpha, alice):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    give_totp(alice)
    code = RecoveryCodes.activate(alice).generate_codes()[0]
    client = Client()
    password_step(client, alice)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert AuditEvent.objects.filter(event="account.recovery_code_used", organisation=alpha).count() == 1
