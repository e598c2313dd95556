"""Work shared among colleagues (issue 11, item 6): the owner assigns labels of an assessment
to members; each member's to-do page (their labels' unanswered items and ratings awaiting the
yearly review, their actions due, the requests to answer, the approvals); the count in the menu;
the dashboard's next steps for a supplier and a customer (item 7). Refusals change nothing."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.catalogue.models import Section
from keiretsu.conftest import add_member, client_for, make_user, membership_of
from keiretsu.improvement import services, todo
from keiretsu.improvement.models import Action, ImprovementEvent, SectionAssignment
from keiretsu.supplychain.models import Supplier
from keiretsu.supplychain.tests import scenario

from .conftest import FY, answer

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def label(assessment, code):
    return Section.objects.get(edition=assessment.edition, code=code, parent=None)


def items_of(assessment, code):
    return list(assessment.edition.items.filter(section__code=code).order_by("position"))


def assign(owner, assessment, code, user):
    return services.section_assign(
        membership=owner, actor=owner.user, assessment=assessment, section=label(assessment, code), assignee=user
    )


def action(owner, assessment, *, title, owner_user, due, status=Action.Status.PLANNED):
    return services.action_create(
        membership=owner, actor=owner.user, scope=assessment.scope, edition=assessment.edition,
        items=list(assessment.edition.items.order_by("position")[:1]), title=title, description="", owner=owner_user,
        start_date=datetime.date(2026, 4, 1), due_date=due, status=status, progress_note="",
    )


def counted_alike(*memberships):
    """The menu's count (SQL) and the to-do page (the ORM) apply the same rule."""
    for membership in memberships:
        assert todo.todo_count(membership, today=TODAY) == todo.todo(membership, today=TODAY).total, membership


def by_label(todo_):
    return {(row.assessment.pk, row.section.code): (row.unanswered, row.awaiting_review) for row in todo_.sections}


# --- Assigning labels ----------------------------------------------------------------------------


def test_the_owner_assigns_a_label_and_it_is_audited(factory_assessment, owner, alice, bob):
    assert assign(owner, factory_assessment, "1", bob)
    assignment = SectionAssignment.objects.get(assessment=factory_assessment)
    assert (assignment.section.code, assignment.assignee, assignment.assigned_by) == ("1", bob, alice)
    event = AuditEvent.objects.get(event=ImprovementEvent.SECTION_ASSIGNED)
    assert (event.actor, event.before["assignee"], event.after["assignee"]) == (alice, "", str(bob))
    assert not assign(owner, factory_assessment, "1", bob)  # the same again: nothing to record
    assert assign(owner, factory_assessment, "1", None)  # back to nobody
    assert not SectionAssignment.objects.exists()
    assert AuditEvent.objects.filter(event=ImprovementEvent.SECTION_ASSIGNED).count() == 2


def test_an_assessor_cannot_assign(factory_assessment, assessor, bob):
    with pytest.raises(services.NotAllowed, match="オーナーだけ"):
        assign(assessor, factory_assessment, "1", bob)
    assert not SectionAssignment.objects.exists()


def test_the_assignee_must_be_a_member_who_answers(factory_assessment, owner, alpha, vera, mallory, beta):
    with pytest.raises(services.InvalidPlan, match="組織のメンバーだけ"):
        assign(owner, factory_assessment, "1", mallory)
    with pytest.raises(services.InvalidPlan, match="閲覧者のため回答できません"):
        assign(owner, factory_assessment, "1", vera)
    assert not SectionAssignment.objects.exists()
    assert not AuditEvent.objects.filter(event=ImprovementEvent.SECTION_ASSIGNED).exists()


def test_a_label_of_another_edition_or_a_nested_section_is_refused(factory_assessment, meti_assessment, owner, bob):
    with pytest.raises(services.InvalidPlan, match="この自己評価のラベルではありません"):
        services.section_assign(membership=owner, actor=owner.user, assessment=factory_assessment,
                                section=label(meti_assessment, "1"), assignee=bob)
    nested = Section.objects.filter(edition=meti_assessment.edition, parent__isnull=False).first()
    with pytest.raises(services.InvalidPlan):
        services.section_assign(membership=owner, actor=owner.user, assessment=meti_assessment, section=nested, assignee=bob)
    assert not SectionAssignment.objects.exists()


def test_another_organisations_assessment_is_404(factory_assessment, owner, mallory, beta, bob):
    url = reverse("improvement:assignments", args=[factory_assessment.organisation_id, factory_assessment.pk])
    assert client_for(mallory).get(url).status_code == 404
    beta_url = reverse("improvement:assignments", args=[beta.pk, factory_assessment.pk])
    assert client_for(mallory).get(beta_url).status_code == 404
    assert client_for(mallory).post(beta_url, {f"section-{label(factory_assessment, '1').pk}": bob.pk}).status_code == 404
    with pytest.raises(services.NotFound):
        assign(membership_of(mallory, beta), factory_assessment, "1", mallory)
    assert not SectionAssignment.objects.exists()


def test_a_submitted_assessment_keeps_its_assignments(factory_assessment, owner, alice, bob):
    assign(owner, factory_assessment, "2", bob)
    for item in factory_assessment.edition.items.all():
        answer(owner, factory_assessment, item.number, "○")
    submitted = assessment_services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    with pytest.raises(services.PlanConflict, match="提出済み"):
        assign(owner, submitted, "2", None)
    assert SectionAssignment.objects.get().assignee == bob


def test_the_assignment_page(factory_assessment, owner, alice, bob, vera):
    url = reverse("improvement:assignments", args=[factory_assessment.organisation_id, factory_assessment.pk])
    page = client_for(alice).get(url).content.decode()
    assert page.count("<select") == 17  # the factory edition's 17 labels
    assert "Vera" not in page  # a viewer cannot answer: not offered
    first, second = label(factory_assessment, "1"), label(factory_assessment, "2")
    response = client_for(alice).post(url, {f"section-{first.pk}": bob.pk, f"section-{second.pk}": vera.pk}, follow=True)
    assert "閲覧者のため回答できません" in response.content.decode()
    assert list(SectionAssignment.objects.values_list("section__code", "assignee")) == [("1", bob.pk)]
    # An assessor sees who answers what, and cannot change it.
    page = client_for(bob).get(url).content.decode()
    assert "<select" not in page and "オーナーだけ" in page
    client_for(bob).post(url, {f"section-{first.pk}": ""})
    assert SectionAssignment.objects.get().assignee == bob


# --- The to-do page ------------------------------------------------------------------------------


@pytest.fixture
def carried_over(owner, factory_assessment, alice):
    """Last year: No.2 □, No.3 ×, No.5 △ (labels 1 and 2), the rest ○; this year starts from it."""
    for item in factory_assessment.edition.items.order_by("position")[5:]:
        answer(owner, factory_assessment, item.number, "○")
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    return assessment_services.assessment_create(
        membership=owner, actor=alice, scope=factory_assessment.scope, edition=factory_assessment.edition,
        fiscal_year=FY + 1, carry_forward=True,
    )


def test_a_member_sees_the_items_of_their_labels_and_the_owner_the_rest(meti_assessment, owner, assessor, bob):
    assign(owner, meti_assessment, "1", bob)
    in_label_1 = meti_assessment.edition.items.filter(section__parent__code="1").count()
    answered_in_1 = 2  # the fixture's two ★3 items achieved are the first ones: label 1
    bobs = todo.todo(assessor, today=TODAY)
    assert by_label(bobs) == {(meti_assessment.pk, "1"): (in_label_1 - answered_in_1, 0)}
    alices = todo.todo(owner, today=TODAY)
    assert (meti_assessment.pk, "1") not in by_label(alices)
    assert sum(unanswered for unanswered, _ in by_label(alices).values()) == 153 - in_label_1
    assert all(not row.assigned for row in alices.sections)
    assert todo.todo_count(assessor, today=TODAY) == in_label_1 - answered_in_1
    assert todo.todo_count(owner, today=TODAY) == 153 - in_label_1


def test_a_viewer_has_nothing_to_do(meti_assessment, alpha, vera):
    viewer = membership_of(vera, alpha)
    assert todo.todo(viewer, today=TODAY).total == 0
    assert todo.todo_count(viewer, today=TODAY) == 0


def test_ratings_awaiting_the_yearly_review(carried_over, owner, assessor, bob):
    assign(owner, carried_over, "1", bob)  # No.2 □ and No.3 × are in label 1? see below
    numbers = {item.number: item.section.code for item in carried_over.edition.items.select_related("section")}
    bobs = by_label(todo.todo(assessor, today=TODAY))
    expected_bob = sum(1 for n in ("2", "3", "5") if numbers[n] == "1")
    assert bobs.get((carried_over.pk, "1"), (0, 0)) == (0, expected_bob)
    alices = todo.todo(owner, today=TODAY)
    assert alices.awaiting_review == 3 - expected_bob and alices.unanswered == 0
    counted_alike(owner, assessor)
    answer(assessor, carried_over, "3", "○")  # reviewed by a new rating
    counted_alike(owner, assessor)
    assert todo.todo(owner, today=TODAY).awaiting_review + todo.todo(assessor, today=TODAY).awaiting_review == 2


def test_actions_the_member_owns_that_are_due(factory_assessment, owner, assessor, alice, bob):
    action(owner, factory_assessment, title="overdue", owner_user=bob, due=datetime.date(2026, 5, 20))
    action(owner, factory_assessment, title="soon", owner_user=bob, due=datetime.date(2026, 6, 20),
           status=Action.Status.IN_PROGRESS)
    action(owner, factory_assessment, title="later", owner_user=bob, due=datetime.date(2026, 9, 1))
    action(owner, factory_assessment, title="done", owner_user=bob, due=datetime.date(2026, 5, 1), status=Action.Status.DONE)
    action(owner, factory_assessment, title="alice's", owner_user=alice, due=datetime.date(2026, 5, 1))
    assert [a.title for a in todo.todo(assessor, today=TODAY).actions] == ["overdue", "soon"]
    counted_alike(owner, assessor)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        page = client_for(bob).get(reverse("improvement:todo", args=[owner.organisation_id])).content.decode()
    assert "overdue" in page and "soon" in page and "later" not in page and "alice&#x27;s" not in page
    assert page.count("期限超過") >= 1


@pytest.fixture
def asked(alpha, alice, catalogue):
    """A customer asks Alpha for its priority-items self-assessment, due 2026-09-30."""
    customer, customer_owner = scenario.company("Gamma Motors")
    scenario.add_supplier(customer, customer_owner, alpha)
    scenario.send_requests(customer, customer_owner, Supplier.objects.filter(customer=customer), [catalogue["jama-priority-items"]])
    return customer, customer_owner


def test_requests_to_answer_until_shared(asked, owner, assessor, alice, alpha, vera, catalogue):
    customer, _ = asked
    edition = catalogue["jama-priority-items"]
    assert [r.requester for r in todo.todo(owner, today=TODAY).requests] == [customer]
    assert len(todo.todo(assessor, today=TODAY).requests) == 1
    assert todo.todo(membership_of(vera, alpha), today=TODAY).requests == []
    counted_alike(owner, assessor, membership_of(vera, alpha))
    scenario.accept(alpha, alice, customer, edition)
    assert len(todo.todo(owner, today=TODAY).requests) == 1  # accepted, not yet shared
    counted_alike(owner, assessor)
    submitted = scenario.submit(alpha, alice, edition)
    scenario.share(alpha, alice, customer, edition, submitted)
    assert todo.todo(owner, today=TODAY).requests == []
    counted_alike(owner, assessor)


def test_approvals_wait_for_owners_and_returns_for_assessors(factory_assessment, owner, assessor, alice, bob):
    assessment_services.approval_policy_set(membership=owner, actor=alice, required=True)
    assessment_services.assessment_mark_ready(membership=assessor, actor=bob, assessment=factory_assessment)
    assert [a.pk for a in todo.todo(owner, today=TODAY).approvals] == [factory_assessment.pk]
    assert todo.todo(assessor, today=TODAY).approvals == []
    assessment_services.assessment_return(membership=owner, actor=alice, assessment=factory_assessment, comment="No.3 を再確認")
    assert todo.todo(owner, today=TODAY).approvals[0].approval == "returned"  # owners answer too
    assert [a.approval_comment for a in todo.todo(assessor, today=TODAY).approvals] == ["No.3 を再確認"]
    counted_alike(owner, assessor)


def test_the_menu_counts_the_to_dos_in_one_query(meti_assessment, owner, alice, bob):
    assign(owner, meti_assessment, "1", bob)
    client = client_for(bob)
    url = reverse("improvement:plan", args=[owner.organisation_id])
    expected = todo.todo_count(membership_of(bob, owner.organisation))
    page = client.get(url).content.decode()
    assert f'<span class="count" aria-label="やること {expected} 件">{expected}</span>' in page
    assert todo.todo_count(membership_of(bob, owner.organisation)) == todo.todo(membership_of(bob, owner.organisation)).total
    with CaptureQueriesContext(connection) as queries:
        todo.todo_count(membership_of(bob, owner.organisation))
    assert len(queries) == 2  # the membership, then the one count


def _todo_queries(client, org_id):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("improvement:todo", args=[org_id])).status_code == 200
    return len(queries)


def test_the_to_do_page_takes_the_same_queries_however_much_there_is(
    factory_assessment, meti_assessment, asked, owner, assessor, alice, bob, alpha_factory, catalogue
):
    assessment_services.approval_policy_set(membership=owner, actor=alice, required=True)
    assign(owner, meti_assessment, "1", bob)
    action(owner, meti_assessment, title="one", owner_user=bob, due=datetime.date(2026, 5, 20))
    client = client_for(bob)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        client.get(reverse("improvement:todo", args=[owner.organisation_id]))
        few = _todo_queries(client, owner.organisation_id)
        for code in ("2", "3", "4"):
            assign(owner, meti_assessment, code, bob)
        for code in ("1", "2", "5"):
            assign(owner, factory_assessment, code, bob)
        for n in range(5):
            action(owner, meti_assessment, title=f"more {n}", owner_user=bob, due=datetime.date(2026, 6, 10 + n))
        other, other_owner = scenario.company("Delta Motors")
        scenario.add_supplier(other, other_owner, owner.organisation)
        scenario.send_requests(other, other_owner, Supplier.objects.filter(customer=other), [catalogue["jama-priority-items"]])
        assessment_services.assessment_mark_ready(membership=assessor, actor=bob, assessment=meti_assessment)
        assessment_services.assessment_return(membership=owner, actor=alice, assessment=meti_assessment, comment="再確認")
        many = _todo_queries(client, owner.organisation_id)
        page = client.get(reverse("improvement:todo", args=[owner.organisation_id])).content.decode()
    assert few == many, (few, many)
    assert many <= 14
    assert page.count('href="/o/') > 10 and "Delta Motors" in page and "再確認" in page


def test_the_to_do_page_of_another_organisation_is_404(owner, mallory):
    assert client_for(mallory).get(reverse("improvement:todo", args=[owner.organisation_id])).status_code == 404


# --- The dashboard's next steps -------------------------------------------------------------------


def test_a_supplier_sees_requests_progress_gap_and_actions_due(asked, meti_assessment, owner, alice):
    action(owner, meti_assessment, title="ログ監視の導入", owner_user=alice, due=datetime.date(2026, 5, 20))
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        page = client_for(alice).get(reverse("assessments:dashboard", args=[owner.organisation_id])).content.decode()
    steps = page.split('id="next-steps-title"')[1].split("</section>")[0]
    assert "Gamma Motors" in steps and "期限 2026-09-30" in steps  # the request and its due date
    assert "153 項目中 2 項目に回答" in steps  # the METI assessment in progress
    assert "目標 ★3 まであと 79 項目" in steps  # 81 ★3 items, 2 achieved
    assert "ログ監視の導入" in steps and "期限超過 1 件" in steps
    assert "顧客として" not in steps  # Alpha asks nobody


def test_a_customer_sees_suppliers_overdue_and_results_newly_shared(alpha, alice, catalogue):
    edition = catalogue["jama-priority-items"]
    late, late_owner = scenario.company("Late Parts")
    quick, quick_owner = scenario.company("Quick Parts")
    scenario.add_supplier(alpha, alice, late)
    scenario.add_supplier(alpha, alice, quick)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        scenario.send_requests(alpha, alice, Supplier.objects.filter(customer=alpha), [edition],
                               due=datetime.date(2026, 6, 20), today=datetime.date(2026, 6, 1))
        scenario.accept(late, late_owner, alpha, edition)
        scenario.accept(quick, quick_owner, alpha, edition)
        scenario.share(quick, quick_owner, alpha, edition, scenario.submit(quick, quick_owner, edition))
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0), tick=False):
        page = client_for(alice).get(reverse("assessments:dashboard", args=[alpha.pk])).content.decode()
    steps = page.split('id="next-steps-title"')[1].split("</section>")[0]
    customer = steps.split("顧客として")[1]
    overdue, shared = customer.split("この30日間に共有された結果")
    assert "Late Parts" in overdue and "Quick Parts" not in overdue
    assert "Quick Parts" in shared and "Late Parts" not in shared
    with time_machine.travel(datetime.datetime(2026, 8, 15, 9, 0), tick=False):
        later = client_for(alice).get(reverse("assessments:dashboard", args=[alpha.pk])).content.decode()
    assert "この30日間に共有された結果" not in later  # no longer new


def test_the_dashboard_takes_the_same_queries_with_more_to_do(asked, meti_assessment, factory_assessment, owner, alice, catalogue):
    client = client_for(alice)
    url = reverse("assessments:dashboard", args=[owner.organisation_id])
    client.get(url)
    from django.core.cache import caches

    def count():
        for each in caches.all():
            each.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        action(owner, meti_assessment, title=f"a{n}", owner_user=alice, due=datetime.date(2026, 5, 1 + n))
    other, other_owner = scenario.company("Epsilon Motors")
    scenario.add_supplier(other, other_owner, owner.organisation)
    scenario.send_requests(other, other_owner, Supplier.objects.filter(customer=other), [catalogue["jama-priority-items"]])
    assert count() == few
