"""The improvement loop in a real Chromium (issue 11): carry last year over, review a □, plan an
action with an evidence file, the action's owner finds it on the to-do page and marks it done,
the item is re-rated, the assessment is approved and submitted, and the management report shows
the plan and the trend."""

import datetime
import re
import subprocess

import pytest
from playwright.sync_api import expect

from keiretsu.assessments import services
from keiretsu.assessments.models import Assessment
from keiretsu.conftest import PASSWORD, membership_of
from keiretsu.improvement import services as improvement_services
from keiretsu.improvement.models import Action, Evidence
from keiretsu.lib.fiscal_year import fiscal_year_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def signed_in(browser, live_server, user):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/o/\d+/"))
    return page


def test_carry_over_review_plan_prove_do_rerate_approve_submit_and_report(
    live_server, browser, catalogue, alpha, alice, bob, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    edition = catalogue["jama-priority-items"]
    owner = membership_of(alice, alpha)
    items = list(edition.items.order_by("position"))
    this_year = fiscal_year_of(datetime.date.today())
    # Last year: the first item □ (deferred, with its reason), the rest ○; submitted.
    last_year = services.assessment_create(
        membership=owner, actor=alice, scope=alpha.company_scope, edition=edition, fiscal_year=this_year - 1
    )
    services.answer_save(membership=owner, actor=alice, assessment=last_year, item=items[0], rating="□",
                         reason="来期に手順書を整備する予定")
    for item in items[1:]:
        services.answer_save(membership=owner, actor=alice, assessment=last_year, item=item, rating="○")
    services.assessment_submit(membership=owner, actor=alice, assessment=last_year)
    services.approval_policy_set(membership=owner, actor=alice, required=True)
    org = alpha.pk

    # Alice (owner) starts this year from last year's answers.
    page = signed_in(browser, live_server, alice)
    page.goto(f"{live_server.url}/o/{org}/assessments/new/")
    page.select_option("#id_edition", str(edition.pk))
    page.select_option("#id_scope", str(alpha.company_scope.pk))
    expect(page.locator("#id_carry_forward")).to_be_checked()
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{org}/assessments/\d+/$"))
    assessment = Assessment.objects.get(organisation=alpha, fiscal_year=this_year, edition=edition)
    first = items[0]

    # The □ comes back with the yearly review's question; a note confirms it.
    block = page.locator(f"#answer-{first.pk}")
    expect(block.locator(".review-open")).to_be_visible()
    block.locator("textarea[name$=-review_note]").fill("手順書の草案まで完了。来年度上期に制定予定")
    block.locator("textarea[name$=-comment]").click()  # leaving the note saves it
    # A note typed is saved without redrawing the fields: the "awaits review" note gives way.
    expect(block.locator(".saved", has_text="見直し済み")).to_be_visible()
    expect(block.locator(".reason-needed")).to_have_count(0)
    answer = assessment.answers.get(item=first)
    assert answer.rating == "□" and answer.reviewed_at is not None and answer.review_note.startswith("手順書の草案")

    # From the item's own page: an action owned by Bob, then an evidence file on it.
    page.locator(f"#item-{first.pk} a.item-link").click()
    page.click("text=＋ 対策を登録")
    page.fill("#id_title", "情報セキュリティ手順書の制定")
    page.select_option("#id_owner", str(bob.pk))
    page.fill("#id_due_date", (datetime.date.today() + datetime.timedelta(days=20)).isoformat())
    page.click("main form.form button[type=submit]")
    action = Action.objects.get(title="情報セキュリティ手順書の制定")
    assert action.owner == bob and [i.number for i in action.items.all()] == [first.number]
    proof = tmp_path / "手順書_草案.pdf"
    proof.write_bytes(PDF)
    page.goto(f"{live_server.url}/o/{org}/plan/actions/{action.pk}/")
    page.set_input_files("form.evidence-upload input[type=file]", str(proof))
    page.click("form.evidence-upload button[type=submit]")
    expect(page.locator("main")).to_contain_text("手順書_草案.pdf")
    assert Evidence.objects.filter(action=action, name="手順書_草案.pdf").exists()

    # Bob (assessor) finds it on his to-do page, marks it done and re-rates the item.
    bobs = signed_in(browser, live_server, bob)
    bobs.goto(f"{live_server.url}/o/{org}/todo/")
    expect(bobs.locator("main")).to_contain_text("情報セキュリティ手順書の制定")
    bobs.click("text=情報セキュリティ手順書の制定")
    bobs.select_option("#id_status", "done")
    bobs.click("main form.form button[type=submit]")
    expect(bobs.locator(".frozen-note")).to_be_visible()  # done changes no rating by itself
    bobs.goto(f"{live_server.url}/o/{org}/assessments/{assessment.pk}/")
    expect(bobs.locator(f"#item-{first.pk} .rerate")).to_be_visible()
    bobs.locator(f"#answer-{first.pk}").locator("label.rating", has_text="○").click()
    expect(bobs.locator(f"#answer-{first.pk} .saved")).to_be_visible()
    expect(bobs.locator("#achievement-rate")).to_have_text("100.0%")
    bobs.click("#approval button[value=ready]")
    expect(bobs.locator("#approval")).to_contain_text("承認待ち")

    # An action still open, overdue, for the report's plan.
    improvement_services.action_create(
        membership=owner, actor=alice, scope=alpha.company_scope, edition=edition, title="バックアップの復旧訓練",
        items=[items[1]], owner=alice, start_date=datetime.date.today() - datetime.timedelta(days=40),
        due_date=datetime.date.today() - datetime.timedelta(days=10),
    )

    # Alice approves, then submits.
    page.goto(f"{live_server.url}/o/{org}/assessments/{assessment.pk}/")
    page.click("#approval button[value=approve]")
    page.click("text=提出…")
    page.click("main form button[type=submit]")
    expect(page.locator(".frozen-note")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.answers.get(item=first).rating == "○"

    # The management report: the plan (the open, overdue action) and the trend over the two years.
    response = page.request.get(f"{live_server.url}/o/{org}/assessments/{assessment.pk}/report.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    report = tmp_path / "report.pdf"
    report.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True, check=True).stdout
    assert "対策計画" in text and "バックアップの復旧訓練" in text and "推移" in text
    assert f"{this_year - 1}年度" in text and f"{this_year}年度" in text
    page.context.close()
    bobs.context.close()
