"""In a real Chromium: a customer invites a supplier that is not on Keiretsu and asks it for the
priority items; the supplier signs up, registers, accepts, answers, submits and shares; the
customer then sees the result."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from keiretsu.conftest import PASSWORD, make_organisation, make_user
from keiretsu.lib.corporate_number import with_check_digit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUPPLIER_NUMBER = with_check_digit("610000000006")


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/o/\d+/"))


def test_invite_accept_submit_share_and_the_customer_sees_it(live_server, page, catalogue, browser):
    base = live_server.url
    owner = make_user("buyer@oem.example", "調達 花子")
    oem = make_organisation(owner, "トヨハシ自動車", "620000000002", tier=0)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    # The customer adds the supplier (not on Keiretsu: it is invited) and sends a request.
    sign_in(page, base, owner.email)
    page.goto(f"{base}/o/{oem.pk}/suppliers/new/")
    page.fill("input[name=name]", "東海精機株式会社")
    page.fill("input[name=corporate_number]", SUPPLIER_NUMBER)
    page.fill("input[name=contact_email]", "taro@tokai.example")
    page.select_option("select[name=criticality]", "1")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/suppliers/\d+/$"))
    assert "招待中" in page.inner_text("main")

    page.goto(f"{base}/o/{oem.pk}/requests/new/")
    page.check("input[name=suppliers]")
    page.check(f"input[name=editions][value='{catalogue['jama-priority-items'].pk}']")
    page.fill("input[name=due_date]", due)
    page.fill("textarea[name=message]", "年末までにご回答ください。")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/suppliers/\?year="))
    assert "招待中" in page.inner_text("#suppliers")

    # The supplier follows the e-mailed link, signs up, registers its company.
    (invitation,) = [m for m in mail.outbox if "taro@tokai.example" in m.to]
    link = re.search(r"https?://\S+(/supplier-invitations/\S+/)", invitation.body).group(1)
    supplier_context = browser.new_context(locale="ja-JP")
    supplier_page = supplier_context.new_page()
    supplier_page.set_default_timeout(10_000)
    supplier_page.goto(base + link)
    assert "トヨハシ自動車" in supplier_page.inner_text("main")
    supplier_page.get_by_role("link", name="アカウントを作成").click()
    supplier_page.wait_for_url(re.compile(r"/accounts/signup/"))
    assert supplier_page.input_value("input[name=email]") == "taro@tokai.example"
    supplier_page.fill("input[name=name]", "東海 太郎")
    supplier_page.fill("input[name=password1]", PASSWORD)
    supplier_page.click("form.form button[type=submit]")
    # The invitation came to this address: no second verification (docs/security.md).
    supplier_page.wait_for_url(re.compile(r"/supplier-invitations/"))
    supplier_page.select_option("select[name=size_band]", "small")
    supplier_page.select_option("select[name=business_type]", "parts")
    supplier_page.click("form.form button[type=submit]")
    supplier_page.wait_for_url(re.compile(r"/o/\d+/inbox/$"))

    # It accepts, answers every item, submits.
    supplier_page.get_by_role("link", name="トヨハシ自動車").click()
    supplier_page.get_by_role("button", name="依頼を受諾する").click()
    supplier_page.wait_for_selector("text=受諾しました")
    supplier_page.click("section.panel ul.plain a")  # the assessment started on acceptance
    forms = supplier_page.locator("form.answer")
    for index in range(forms.count()):
        form = forms.nth(index)
        with supplier_page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
            form.locator("label.rating", has_text="○").click()
    supplier_page.wait_for_selector("#progress:has-text('8')")
    supplier_page.goto(supplier_page.url.split("#")[0].split("?")[0] + "submit/")
    supplier_page.click("form button.primary")
    supplier_page.wait_for_selector(".frozen-note")

    # It shares the summary with its customer.
    supplier_page.goto(base + re.sub(r"/assessments/.*", "/inbox/", supplier_page.url.split(base)[1]))
    supplier_page.get_by_role("link", name="トヨハシ自動車").click()
    assert supplier_page.is_checked("input[name=recipients]")
    supplier_page.click("form.share-form button[type=submit]")
    supplier_page.wait_for_selector("text=と共有しました")
    supplier_context.close()

    # The customer sees it shared, with its figures.
    page.goto(f"{base}/o/{oem.pk}/suppliers/")
    row = page.locator("#suppliers tbody tr", has_text="東海精機株式会社")
    assert "共有済み" in row.inner_text()
    assert "100.0%" in row.inner_text()
    row.get_by_role("link", name="結果を見る").click()
    page.wait_for_url(re.compile(r"/results/\d+/$"))
    text = page.inner_text("main")
    assert "東海精機株式会社" in text and "100.0%" in text
    assert "8/8" in text  # priority items achieved
