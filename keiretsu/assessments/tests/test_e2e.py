"""The main flow in a real Chromium: sign in, open an assessment, rate, see the score change, submit."""

import re

import pytest
from playwright.sync_api import expect

from keiretsu.assessments import services
from keiretsu.assessments.models import Assessment
from keiretsu.conftest import PASSWORD, membership_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_rate_see_the_score_change_and_submit(live_server, page, catalogue, alpha, alice):
    priority = catalogue["jama-priority-items"]
    membership = membership_of(alice, alpha)
    assessment = services.assessment_create(membership=membership, actor=alice, scope=alpha.company_scope,
                                            edition=priority, fiscal_year=2026)
    items = list(priority.items.order_by("position"))
    for item in items[1:]:
        services.answer_save(membership=membership, actor=alice, assessment=assessment, item=item, rating="○")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Alpha Parts")

    page.click(f"a[href='/o/{alpha.pk}/assessments/{assessment.pk}/']")
    expect(page.locator("#achievement-rate")).to_have_text("87.5%")  # 7 of 8
    expect(page.locator("#progress")).to_contain_text("7")

    # Rate the first item ○ (htmx saves it): the score changes without a reload.
    first = page.locator(f"#answer-{items[0].pk}")
    first.locator("label.rating", has_text="○").click()
    expect(page.locator("#achievement-rate")).to_have_text("100.0%")
    expect(first.locator(".saved")).to_be_visible()
    # □ without a reason: accepted as a draft, flagged; the reason then saves on change.
    first.locator("label.rating", has_text="□").click()
    expect(page.locator(f"#answer-{items[0].pk} .reason-needed")).to_be_visible()
    expect(page.locator("#achievement-rate")).to_have_text("87.5%")
    page.locator(f"#answer-{items[0].pk} textarea[name$=-reason]").fill("来期に手順書を整備する予定")
    page.locator(f"#answer-{items[0].pk} textarea[name$=-comment]").click()  # blur: saved at once
    expect(page.locator(f"#answer-{items[0].pk} .reason-needed")).to_have_count(0)
    page.locator(f"#answer-{items[0].pk}").locator("label.rating", has_text="○").click()
    expect(page.locator("#achievement-rate")).to_have_text("100.0%")

    page.click("text=提出…")
    page.click("main form button[type=submit]")
    expect(page.locator(".frozen-note")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.score_snapshot["overall"]["achieved"] == 8
    assert assessment.answers.get(item=items[0]).reason == "来期に手順書を整備する予定"
    expect(page.locator(f"#answer-{items[0].pk} input[type=radio]").first).to_be_disabled()
    assert re.search(r"/o/\d+/assessments/\d+/$", page.url)


def test_the_page_works_without_javascript(live_server, browser, catalogue, alpha, alice, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    membership = membership_of(alice, alpha)
    assessment = services.assessment_create(membership=membership, actor=alice, scope=alpha.company_scope,
                                            edition=catalogue["jama-priority-items"], fiscal_year=2026)
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.goto(f"{live_server.url}/o/{alpha.pk}/assessments/{assessment.pk}/")
    item = assessment.edition.items.order_by("position").first()
    form = page.locator(f"#answer-{item.pk}")
    form.locator("select").select_option("×")  # without JavaScript the rating is a select
    form.locator("button[name=item]").click()
    page.wait_for_url(re.compile(rf"#item-{item.pk}$"))
    expect(page.locator("#achievement-rate")).to_have_text("0.0%")
    assert assessment.answers.get(item=item).rating == "×"
    context.close()


def test_a_comment_over_the_limit_is_refused_in_place_and_the_typed_text_stays(live_server, page, catalogue, alpha, alice):
    priority = catalogue["jama-priority-items"]
    membership = membership_of(alice, alpha)
    assessment = services.assessment_create(membership=membership, actor=alice, scope=alpha.company_scope,
                                            edition=priority, fiscal_year=2026)
    item = priority.items.order_by("position").first()
    services.answer_save(membership=membership, actor=alice, assessment=assessment, item=item, rating="○",
                         comment="規程あり")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.goto(f"{live_server.url}/o/{alpha.pk}/assessments/{assessment.pk}/")
    typed = "長" * 4001
    form = page.locator(f"#answer-{item.pk}")
    form.locator("textarea[name$=-comment]").fill(typed)
    form.locator("textarea[name$=-reason]").click()  # blur: saved at once
    expect(page.locator(f"#answer-{item.pk} .error")).to_contain_text("4,001")
    assert page.locator(f"#answer-{item.pk} textarea[name$=-comment]").input_value() == typed
    expect(page.locator(f"#answer-{item.pk} .saved")).to_have_count(0)
    expect(page.locator("#toast")).to_be_hidden()
    assert assessment.answers.get(item=item).comment == "規程あり"


def _sign_in_and_open(live_server, page, alpha, alice, assessment):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.goto(f"{live_server.url}/o/{alpha.pk}/assessments/{assessment.pk}/")


def test_arrow_keys_move_within_the_rating_group_without_saving_until_a_choice(live_server, page, catalogue, alpha, alice):
    priority = catalogue["jama-priority-items"]
    assessment = services.assessment_create(membership=membership_of(alice, alpha), actor=alice,
                                            scope=alpha.company_scope, edition=priority, fiscal_year=2026)
    item = priority.items.order_by("position").first()
    _sign_in_and_open(live_server, page, alpha, alice, assessment)
    block = page.locator(f"#answer-{item.pk}")
    block.locator("label.rating", has_text="○").click()  # a click is a choice: saved
    expect(block.locator(".saved")).to_be_visible()
    assert assessment.answers.get(item=item).rating == "○"
    radio = page.locator(f"#answer-{item.pk} input[type=radio]:checked")
    expect(radio).to_be_focused()  # focus stays on the rated item after the save
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#answer-{item.pk} input[type=radio]:checked")).to_have_value("△")
    page.wait_for_timeout(300)
    assert assessment.answers.get(item=item).rating == "○"  # moved, not chosen: nothing saved
    with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
        page.keyboard.press(" ")
    expect(page.locator(f"#answer-{item.pk} input[type=radio]:checked")).to_be_focused()
    assert assessment.answers.get(item=item).rating == "△"


def test_a_comment_is_saved_while_typing_and_the_page_warns_before_leaving_unsaved_text(
    live_server, page, catalogue, alpha, alice
):
    priority = catalogue["jama-priority-items"]
    assessment = services.assessment_create(membership=membership_of(alice, alpha), actor=alice,
                                            scope=alpha.company_scope, edition=priority, fiscal_year=2026)
    item = priority.items.order_by("position").first()
    _sign_in_and_open(live_server, page, alpha, alice, assessment)
    comment = page.locator(f"#answer-{item.pk} textarea[name$=-comment]")
    with page.expect_response(lambda r: "/items/" in r.url and r.request.method == "POST"):
        comment.press_sequentially("規程第3条に記載")  # no blur: saved after a pause in typing
    expect(comment).to_be_focused()  # the field stays as it is while saving
    expect(page.locator(f"#answer-{item.pk} .saved")).to_be_visible()
    assert assessment.answers.get(item=item).comment == "規程第3条に記載"
    page.reload()
    expect(page.locator(f"#answer-{item.pk} textarea[name$=-comment]")).to_have_value("規程第3条に記載")

    # Leaving right after typing (before the pause): the browser asks first.
    page.locator(f"#answer-{item.pk} textarea[name$=-comment]").press_sequentially("、別紙")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
