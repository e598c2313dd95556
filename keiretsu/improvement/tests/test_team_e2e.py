"""In Chromium, in Japanese, at a desktop's and a phone's width: an assessor's to-do page (with
its count in the menu) and an owner's dashboard that says what to do next; the owner approves
the assessment the assessor marked ready. Screenshots go to /tmp (KEIRETSU_SCREENSHOTS=1)."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from keiretsu.assessments import services as assessment_services
from keiretsu.catalogue.models import Section
from keiretsu.conftest import PASSWORD
from keiretsu.improvement import services
from keiretsu.supplychain.models import Supplier
from keiretsu.supplychain.tests import scenario

from .conftest import answer

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("KEIRETSU_SCREENSHOTS")


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")


def shoot(page, name):
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.screenshot(path=f"/tmp/team-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_to_do_page_and_the_dashboard(live_server, page, catalogue, owner, assessor, meti_assessment, alpha, alice, bob):
    today = timezone.localdate()
    sections = list(Section.objects.filter(edition=meti_assessment.edition, parent=None).order_by("position"))
    for section in sections[:2]:
        services.section_assign(membership=owner, actor=alice, assessment=meti_assessment, section=section, assignee=bob)
    items = list(meti_assessment.edition.items.order_by("position")[2:4])
    for n, (title, due) in enumerate((("多要素認証の導入", today - datetime.timedelta(days=3)),
                                      ("資産台帳の整備", today + datetime.timedelta(days=10)))):
        services.action_create(membership=owner, actor=alice, scope=meti_assessment.scope, edition=meti_assessment.edition,
                               items=[items[n]], title=title, description="", owner=bob,
                               start_date=today - datetime.timedelta(days=30), due_date=due, status="planned", progress_note="")
    customer, customer_owner = scenario.company("Gamma Motors")
    scenario.add_supplier(customer, customer_owner, alpha)
    scenario.send_requests(customer, customer_owner, Supplier.objects.filter(customer=customer),
                           [catalogue["jama-priority-items"]], due=today + datetime.timedelta(days=45), today=today)
    late, late_owner = scenario.company("Late Parts")
    scenario.add_supplier(alpha, alice, late)
    scenario.send_requests(alpha, alice, Supplier.objects.filter(customer=alpha, organisation=late),
                           [catalogue["jama-priority-items"]], due=today + datetime.timedelta(days=20), today=today)
    scenario.accept(late, late_owner, alpha, catalogue["jama-priority-items"])
    from keiretsu.supplychain.models import AssessmentRequest

    AssessmentRequest.objects.filter(requester=alpha).update(due_date=today - datetime.timedelta(days=2))
    assessment_services.approval_policy_set(membership=owner, actor=alice, required=True)
    assessment_services.assessment_mark_ready(membership=assessor, actor=bob, assessment=meti_assessment)
    assessment_services.assessment_return(membership=owner, actor=alice, assessment=meti_assessment,
                                          comment="ラベル1の根拠資料を添付してください")

    # The assessor: the count in the menu, then the to-do page.
    sign_in(page, live_server, bob)
    expect(page.locator(".mainnav .count")).to_be_visible()
    page.click(".mainnav a[href$='/todo/']")
    expect(page.locator("h1")).to_have_text("やること")
    expect(page.locator("#todo-items")).to_be_visible()
    expect(page.get_by_text("Gamma Motors")).to_be_visible()
    expect(page.get_by_text("多要素認証の導入")).to_be_visible()
    expect(page.get_by_text("ラベル1の根拠資料を添付してください")).to_be_visible()
    shoot(page, "todo")
    # Bob marks it ready again from the checklist's approval panel.
    page.click(f"a[href='/o/{alpha.pk}/assessments/{meti_assessment.pk}/#approval']")
    page.click("#approval button[value=ready]")
    expect(page.locator("#approval .badge")).to_have_text("承認待ち")

    # The owner: the dashboard says what to do next; the approval is in her to-dos; she approves.
    page.context.clear_cookies()
    sign_in(page, live_server, alice)
    expect(page.locator("#next-steps-title")).to_have_text("次にやること")
    expect(page.locator(".next-steps").get_by_text("Late Parts")).to_be_visible()
    expect(page.locator(".next-steps").get_by_text("Gamma Motors")).to_be_visible()
    shoot(page, "dashboard")
    page.click(".mainnav a[href$='/todo/']")
    expect(page.locator("h1")).to_have_text("やること")
    page.click(f"section[aria-labelledby=todo-approvals] a[href='/o/{alpha.pk}/assessments/{meti_assessment.pk}/#approval']")
    shoot(page, "approval")
    page.click("#approval button[value=approve]")
    expect(page.locator("#approval .badge")).to_have_text("承認済み")
    # A change after approval: back to in progress, and the page says so.
    answer(owner, meti_assessment, items[0].number, "○")
    page.reload()
    expect(page.locator("#approval")).to_contain_text("回答中に戻りました")
