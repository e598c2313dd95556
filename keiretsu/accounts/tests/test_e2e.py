"""In a real Chromium: sign up, verify the address from the mail, register an organisation,
turn on an authenticator app, sign out and back in with its code; the owner then requires
two-factor authentication and a member is sent to set it up; a forgotten password is reset."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from keiretsu.accounts.models import Membership, Organisation, Role
from keiretsu.conftest import PASSWORD, make_user, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "shin-himitsu-no-kotoba-2027"  # noqa: S105


def mailed_path(to):
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def fresh_code(secret, used):
    """The authenticator's code, waiting for the next 30-second step when this one was used."""
    while (code := totp_code(secret)) in used:
        time.sleep(1)
    used.add(code)
    return code


def test_sign_up_verify_register_totp_and_sign_in_with_it(live_server, page, catalogue):
    page.set_default_timeout(30_000)  # a long flow on a busy machine
    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", "taro@yamada.example")
    page.fill("input[name=name]", "山田 太郎")
    page.fill("input[name=password1]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    page.goto(base + mailed_path("taro@yamada.example"))
    page.click("main form button[type=submit]")  # the link opens a page; the button verifies
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", "taro@yamada.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/organisations/new/"))
    page.fill("input[name=name]", "山田製作所")
    page.fill("input[name=corporate_number]", "1180301018771")
    page.select_option("select[name=size_band]", "small")
    page.select_option("select[name=business_type]", "parts")
    page.select_option("select[name=tier]", "2")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/o/\d+/"))
    organisation = Organisation.objects.get(corporate_number="1180301018771")

    # An authenticator app: re-authenticate with the password, read the secret, answer a code.
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.input_value("#authenticator_secret")
    used = set()
    page.fill("input[name=code]", fresh_code(secret, used))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))

    page.click("header form button.link")  # sign out
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", "taro@yamada.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", fresh_code(secret, used))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{organisation.pk}/"))

    # The owner requires two-factor authentication of every member.
    page.goto(f"{base}/o/{organisation.pk}/settings/security/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/settings/security/"))
    page.check("input[name=require_mfa]")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    organisation.refresh_from_db()
    assert organisation.require_mfa

    # A member without a second factor is sent to set one up, and told why.
    member = make_user("hanako@yamada.example", "山田 花子")
    Membership.objects.create(user=member, organisation=organisation, role=Role.ASSESSOR)
    other = page.context.browser.new_context(locale="ja-JP")
    member_page = other.new_page()
    member_page.goto(f"{base}/accounts/login/")
    member_page.fill("input[name=login]", member.email)
    member_page.fill("input[name=password]", PASSWORD)
    member_page.click("main form button[type=submit]")
    member_page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    expect(member_page.locator(".messages")).to_contain_text("山田製作所")
    member_page.goto(f"{base}/o/{organisation.pk}/")
    member_page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    other.close()


def test_a_forgotten_password_is_reset_from_the_mail(live_server, page):
    page.set_default_timeout(30_000)
    user = make_user("jiro@yamada.example", "山田 次郎")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.click("a[href='/accounts/password/reset/']")
    page.fill("input[name=email]", user.email)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/"))
    page.goto(base + mailed_path(user.email))
    page.wait_for_url(re.compile(r"/accounts/password/reset/key/"))
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/password/reset/key/done/"))
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/organisations/new/"))
