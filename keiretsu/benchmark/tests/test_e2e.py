"""End to end in Chromium: a company sends its assessment with consent, the industry body
computes and publishes the release, and the company reads its comparison."""

import re

import pytest

from keiretsu.benchmark.models import Release, Submission
from keiretsu.conftest import PASSWORD

from .conftest import company_with_submission, make_company, owner_membership, submitted_assessment

OTHERS = ["○○○○○○", "○○×○××", "○×○○○－", "○○○○×○", "○○－○○○"]


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.e2e
def test_submit_publish_compare(live_server, page, round_, mini, body, iris):
    for index, ratings in enumerate(OTHERS):
        company_with_submission(f"Peer {index}", round_, mini, ratings)
    company = make_company("Flow Parts")
    submitted_assessment(company, mini, "×○○×××")
    owner = owner_membership(company).user

    # The company sends its assessment, after reading what is sent and who sees it.
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/o/{company.pk}/benchmark/")
    page.click(f"a[href='/o/{company.pk}/benchmark/rounds/{round_.pk}/submit/']")
    assert body.name in page.inner_text(".bm-consent-text")
    page.click("form.form button[type=submit]")  # without ticking the box: refused
    assert page.locator(".errorlist").count() >= 1
    assert not Submission.objects.filter(organisation=company).exists()
    page.check("input[name=consent]")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/{company.pk}/benchmark/")
    assert Submission.objects.filter(organisation=company, status="active").exists()

    # The industry body computes the statistics, reviews the draft and publishes it.
    sign_in(page, live_server, iris.email)
    page.goto(f"{live_server.url}/o/{body.pk}/benchmark/rounds/{round_.pk}/")
    assert "Flow Parts" in page.inner_text("main")
    page.click("form[action$='/recompute/'] button")
    page.wait_for_url("**/benchmark/releases/*/")
    assert page.locator(".bm-review").count() == 1
    assert page.locator("table.bm-barchart").count() >= 2
    page.click("form[action$='/publish/'] button")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))  # publishing asks for the password again
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.click("main form.confirm button.danger")  # the release never changes: asked before publishing
    page.wait_for_selector(".messages .success")
    release = Release.objects.get()
    assert release.is_published and release.companies == 6

    # The company sees where it stands, with its focus issues first.
    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/o/{company.pk}/benchmark/")
    page.click("#compare ~ ul a, section[aria-labelledby=compare] a")
    page.wait_for_url("**/benchmark/comparison/*/")
    focus = page.inner_text(".bm-focus")
    # Flow Parts misses items 1 and 4 (Lv1), which 5 of the 6 companies achieved (83.3 % >= 70 %).
    assert "No.1" in focus and "No.4" in focus
    assert page.locator("table.bm-barchart").count() == 2
    assert page.inner_text(".bm-headline").count("%") >= 2
