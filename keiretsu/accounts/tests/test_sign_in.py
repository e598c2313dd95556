"""Sign-up, verification, sign-in, reset and their limits (allauth, configured in settings.py;
rules in docs/security.md). Each review finding of issue 8 has a named test here."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Membership, Organisation, Role, User
from keiretsu.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"


def sign_in(client, email, password=PASSWORD, address="192.0.2.10"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)


def link_in(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_verify_then_register_an_organisation(client):
    response = client.post(SIGNUP, {"email": "Taro@Example.JP", "name": "山田 太郎", "password1": "kaisha-no-himitsu-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert (user.email, user.name) == ("taro@example.jp", "山田 太郎")
    assert "_auth_user_id" not in client.session  # not signed in before the address is verified
    assert not EmailAddress.objects.get(user=user).verified
    signed_up = AuditEvent.objects.get(event="user.signed_up")
    assert (signed_up.actor, signed_up.organisation, signed_up.after) == (user, None, {"email": "taro@example.jp"})

    (message,) = mail.outbox
    assert message.to == ["taro@example.jp"]
    confirm = link_in(message)
    assert client.get(confirm).status_code == 200  # a page with a button: the link alone changes nothing
    assert not EmailAddress.objects.get(user=user).verified
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    assert sign_in(client, "TARO@example.jp", "kaisha-no-himitsu-2026").status_code == 302
    response = client.post(
        reverse("accounts:organisation_create"),
        {"name": "山田製作所", "corporate_number": "１１８０３０１０１８７７１", "size_band": "small",
         "business_type": "parts", "tier": "2"},
    )
    organisation = Organisation.objects.get()
    assert response["Location"] == reverse("assessments:dashboard", args=[organisation.pk])
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.OWNER
    assert AuditEvent.objects.filter(event="account.signed_in", actor=user).count() == 1


def test_an_unverified_address_cannot_sign_in_and_gets_a_new_link(client):
    make_user("late@example.jp", verified=False)
    response = sign_in(client, "late@example.jp")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["late@example.jp"]


def test_an_unverified_account_cannot_create_an_organisation_even_signed_in():
    from keiretsu.accounts.services import organisation_create
    from keiretsu.lib.refusals import NotAllowed

    user = make_user("late@example.jp", verified=False)
    with pytest.raises(NotAllowed):
        organisation_create(actor=user, name="X", corporate_number="1180301018771", size_band="small",
                            business_type="parts", tier=1)
    assert not Organisation.objects.exists()


def test_a_verification_link_works_once(client):
    client.post(SIGNUP, {"email": "taro@example.jp", "name": "Taro", "password1": "kaisha-no-himitsu-2026"})
    confirm = link_in(mail.outbox[0])
    assert client.post(confirm).status_code == 302
    assert client.post(confirm).status_code == 404  # used: refused
    page = client.get(confirm)
    assert page.status_code == 200 and page.context["confirmation"] is None  # "expired or invalid"


def test_an_expired_verification_link_verifies_nothing(client, settings):
    client.post(SIGNUP, {"email": "taro@example.jp", "name": "Taro", "password1": "kaisha-no-himitsu-2026"})
    confirm = link_in(mail.outbox[0])
    with _later(days=settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS + 1):
        client.post(confirm)
    assert not EmailAddress.objects.get(email="taro@example.jp").verified


def _later(*, days):
    import datetime

    import time_machine
    from django.utils import timezone

    return time_machine.travel(timezone.now() + datetime.timedelta(days=days), tick=False)


def test_sign_up_with_a_taken_address_answers_the_same_and_tells_the_owner(client, alice):
    fresh = client.post(SIGNUP, {"email": "new@example.jp", "name": "N", "password1": "kaisha-no-himitsu-2026"})
    taken = client.post(SIGNUP, {"email": "ALICE@alpha.example", "name": "A", "password1": "kaisha-no-himitsu-2026"})
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email="alice@alpha.example").count() == 1
    to_alice = [m for m in mail.outbox if m.to == ["alice@alpha.example"]]
    assert len(to_alice) == 1  # the owner of the address learns someone tried


def test_password_reset_answers_the_same_for_unknown_addresses(client, alice):
    known = client.post(RESET, {"email": alice.email})
    unknown = client.post(RESET, {"email": "nobody@example.jp"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_password_reset_link_works_once_and_the_old_password_stops(client, alice):
    client.post(RESET, {"email": alice.email})
    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    link = link_in(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    action = form.redirect_chain[-1][0] if form.redirect_chain else link
    response = client.post(action, {"password1": "atarashii-himitsu-2026", "password2": "atarashii-himitsu-2026"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("atarashii-himitsu-2026")
    assert AuditEvent.objects.filter(event="account.password_reset", target_id=str(alice.pk)).exists()
    # the same link again: refused, nothing changes
    again = client.get(link, follow=True)
    assert "atarashii" not in again.content.decode()
    client.post(again.redirect_chain[-1][0] if again.redirect_chain else link,
                {"password1": "sonota-no-himitsu-2027", "password2": "sonota-no-himitsu-2027"})
    alice.refresh_from_db()
    assert alice.check_password("atarashii-himitsu-2026")


def test_sign_in_is_case_insensitive(client, alice):
    assert sign_in(client, "Alice@Alpha.example").status_code == 302


def test_failed_sign_ins_are_audited_with_the_client_address(client, alpha, alice):
    sign_in(client, alice.email, "wrong-password", address="198.51.100.7")
    event = AuditEvent.objects.get(event="account.sign_in_failed", organisation=alpha)
    assert event.after == {"address": "198.51.100.7"} and event.target_id == str(alice.pk)
    sign_in(client, "nobody@example.jp", "wrong-password", address="198.51.100.7")
    assert AuditEvent.objects.get(event="account.sign_in_failed", organisation=None).after["email"] == "nobody@example.jp"


def test_ten_wrong_passwords_pause_that_client_and_a_code_still_signs_in(client, alice, settings):
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        assert sign_in(client, alice.email, "wrong-password").status_code == 200
    refused = sign_in(client, alice.email)  # even the right password waits, from this client
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    # ... but the person signs in with a code sent to their address
    response = client.post("/accounts/login/code/", {"email": alice.email}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    done = client.post(response["Location"], {"code": code}, REMOTE_ADDR="192.0.2.10")
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


def test_nobody_can_lock_another_person_out(client, alice, settings):
    elsewhere = Client()
    for _ in range(settings.SIGN_IN_MAX_FAILURES + 5):
        sign_in(elsewhere, alice.email, "guess", address="203.0.113.66")
    assert sign_in(client, alice.email, address="192.0.2.10").status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_one_client_trying_many_accounts_is_paused(client, settings):
    users = [make_user(f"user{i}@example.jp") for i in range(3)]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/15m/ip,10/15m/key"}
    for i in range(5):
        sign_in(client, f"someone{i}@example.jp", "guess", address="203.0.113.9")
    assert sign_in(client, users[0].email, address="203.0.113.9").status_code == 200  # paused
    assert sign_in(client, users[1].email, address="192.0.2.44").status_code == 302  # another client is not


def test_the_admin_signs_in_through_the_same_limited_flow(client, settings):
    admin = make_user("root@example.jp")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])  # Django's own admin form is not used
    assert login["Location"].startswith(LOGIN) if login.status_code == 302 else "login" in login.content.decode()
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    for _ in range(30):
        sign_in(client, admin.email, "guess", address="203.0.113.5")
    assert sign_in(client, admin.email, address="203.0.113.5").status_code in (200, 429)  # brute force: paused
    assert "_auth_user_id" not in client.session


def test_the_client_address_is_the_proxys_only_behind_a_trusted_proxy(rf, settings):
    from keiretsu.accounts.adapters import client_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", REMOTE_ADDR="127.0.0.1")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "127.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "198.51.100.9"  # what the proxy appended, not what the client sent


def test_passwords_need_twelve_characters_and_not_a_recent_one(alice):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("short-pw-11", alice)
    with pytest.raises(ValidationError):
        validate_password("123456789012345", alice)
    with pytest.raises(ValidationError):
        validate_password(PASSWORD, alice)  # the current one
    alice.set_password("atarashii-himitsu-2026")
    alice.save()
    with pytest.raises(ValidationError):
        validate_password(PASSWORD, alice)  # the previous one
    validate_password("mattaku-betsu-no-2027", alice)


def test_sign_in_answers_the_same_for_an_unknown_address(client, alice):
    known = sign_in(client, alice.email, "wrong-password")
    unknown = sign_in(client, "nobody@example.jp", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_an_expired_reset_link_changes_nothing(client, alice, settings):
    client.post(RESET, {"email": alice.email})
    link = link_in([m for m in mail.outbox if m.to == [alice.email]][0])
    with _later(days=1):
        page = client.get(link, follow=True)
        action = page.redirect_chain[-1][0] if page.redirect_chain else link
        client.post(action, {"password1": "atarashii-himitsu-2026", "password2": "atarashii-himitsu-2026"})
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD) and not alice.check_password("atarashii-himitsu-2026")


def test_a_new_address_counts_only_once_verified(alice):
    from keiretsu.accounts.selectors import has_verified_email

    client = client_for(alice)
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice@new.example"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@alpha.example" and has_verified_email(alice)  # the old one still counts
    assert not EmailAddress.objects.get(email="alice@new.example").verified
    confirm = link_in([m for m in mail.outbox if m.to == ["alice@new.example"]][0])
    client.post(confirm)
    alice.refresh_from_db()
    assert alice.email == "alice@new.example" and has_verified_email(alice)
    assert not EmailAddress.objects.filter(email="alice@alpha.example").exists()


def test_the_migration_verifies_addresses_that_accepted_an_invitation():
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from keiretsu.accounts.models import MemberInvitation

    carry_over = importlib.import_module("keiretsu.accounts.migrations.0003_email_addresses").carry_over
    invited = User.objects.create_user("invited@example.jp", PASSWORD)
    other = User.objects.create_user("other@example.jp", PASSWORD)
    owner = make_user("owner@example.jp")
    from keiretsu.conftest import make_organisation

    organisation = make_organisation(owner, "Owner Co", "700000000007")
    MemberInvitation.objects.create(organisation=organisation, email="invited@example.jp", role=Role.VIEWER,
                                    token_hash="x" * 64, expires_at=timezone.now(), accepted_at=timezone.now(),
                                    accepted_by=invited)
    carry_over(apps, None)
    assert EmailAddress.objects.get(user=invited).verified
    assert not EmailAddress.objects.get(user=other).verified  # verifies at the next sign-in
    assert EmailAddress.objects.filter(user=owner).count() == 1  # untouched


def test_reset_mails_are_limited_per_address_and_the_answer_stays_the_same(client, alice):
    answers = {client.post(RESET, {"email": alice.email}, REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(5)}
    assert len([m for m in mail.outbox if m.to == [alice.email]]) == 3  # 3 an hour per address
    assert answers <= {302, 429}


def test_verification_mails_are_limited_per_address(client):
    make_user("late@example.jp", verified=False)
    for _ in range(3):
        sign_in(Client(), "late@example.jp")
    assert len(mail.outbox) == 1  # one per 3 minutes


def test_sign_ups_are_limited_per_client(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for i in range(3):
        client.post(SIGNUP, {"email": f"n{i}@example.jp", "name": "N", "password1": "kaisha-no-himitsu-2026"},
                    REMOTE_ADDR="203.0.113.30")
    assert User.objects.count() == 2
