"""In a real Chromium, on the demo: each demo person signs in and lands where their work is."""

import re

import pytest
from django.core.management import call_command

from keiretsu.accounts.models import Organisation, User
from keiretsu.conftest import give_totp, totp_code
from keiretsu.demo.benchmark import BODY_EMAIL, BODY_NAME
from keiretsu.demo.company import ADMIN_EMAIL, DEMO_COMPANY, DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def sign_out(page):
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def demo(catalogue):
    for command in ("demo", "demo_supplychain", "demo_benchmark"):
        call_command(command, verbosity=0)
    return {org.name: org for org in Organisation.objects.all()}


def test_each_demo_person_lands_where_their_work_is(live_server, page, demo, settings):
    base = live_server.url
    company, oem, body = demo[DEMO_COMPANY], demo["デモ自動車株式会社"], demo[BODY_NAME]

    # The supplier (first by name would be the OEM): its own assessments are in progress.
    sign_in(page, base, DEMO_EMAIL)
    assert page.url == f"{base}/o/{company.pk}/"
    assert page.locator("h1").first.inner_text() != ""
    assert page.locator(".switcher summary").inner_text() == DEMO_COMPANY
    # It switches to the OEM, which has suppliers and no self-assessment of its own ...
    page.click(".switcher summary")
    page.click(f".switcher a[href='/o/{oem.pk}/']")
    page.wait_for_url(f"{base}/o/{oem.pk}/")
    sign_out(page)
    # ... and is remembered: the next sign-in opens on the OEM's suppliers.
    sign_in(page, base, DEMO_EMAIL)
    assert page.url == f"{base}/o/{oem.pk}/suppliers/"
    assert page.locator(".switcher summary").inner_text() == "デモ自動車株式会社"
    sign_out(page)

    # The industry body: its own home and menu (rounds, submissions, releases); no invitation to send.
    sign_in(page, base, BODY_EMAIL)
    assert page.url == f"{base}/o/{body.pk}/benchmark/"
    menu = page.locator("nav.mainnav").inner_text()
    assert "回収と提出" in menu and "公表した統計" in menu
    assert "ダッシュボード" not in menu and "仕入先" not in menu
    assert page.locator("#body-rounds").is_visible() and page.locator("#releases").is_visible()
    assert page.locator("#open-rounds").count() == 0
    sign_out(page)

    # The instance administrator must have a second factor (docs/security.md): the first sign-in
    # asks to set one up; with it, the catalogue, which says where the enterprise edition comes from.
    sign_in(page, base, ADMIN_EMAIL)
    assert page.url == f"{base}/accounts/2fa/"
    secret = give_totp(User.objects.get(email=ADMIN_EMAIL))
    sign_out(page)
    sign_in(page, base, ADMIN_EMAIL)
    page.fill("input[name=code]", totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/catalogue/$"))
    assert page.url == f"{base}/catalogue/"
    assert "公式チェックシート" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, base, DEMO_EMAIL)
    # A missing page is the product's own 404 in the demo (DEBUG on, DEBUG_ERROR_PAGES off).
    settings.DEBUG, settings.DEBUG_ERROR_PAGES = True, False
    response = page.goto(f"{base}/no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "見つかりません"
    assert "URLconf" not in page.content()
