"""Improvement actions: services with their refusals, the plan page, the checklist, carry-over, reminders."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.conftest import client_for, make_user
from keiretsu.improvement import reminders, selectors, services
from keiretsu.improvement.models import Action, ActionReminder, ImprovementEvent
from keiretsu.lib.refusals import NotAllowed, NotFound

from .conftest import FY, answer

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 6, 1)
DUE = datetime.date(2025, 12, 31)


def star3(edition, n):
    return list(edition.items.filter(level="★3").order_by("position")[:n])


def plan_action(membership, assessment, items, **fields):
    defaults = {"title": "MFA for remote access", "owner": membership.user, "start_date": START, "due_date": DUE}
    return services.action_create(
        membership=membership, actor=membership.user, scope=assessment.scope, edition=assessment.edition,
        items=items, **{**defaults, **fields},
    )


def test_an_action_covers_several_items_and_is_audited(owner, meti_assessment, bob):
    items = star3(meti_assessment.edition, 5)[2:5]
    action = plan_action(owner, meti_assessment, items, owner=bob, description="VPN + MFA")
    assert list(action.items.order_by("position")) == items
    assert (action.status, action.owner, action.closed_at) == (Action.Status.PLANNED, bob, None)
    event = AuditEvent.objects.get(event=ImprovementEvent.ACTION_CREATED)
    assert event.after["items"] == ", ".join(i.number for i in items) and event.after["owner"] == "Bob"


def refused_and_nothing_changed(call, exc, match=None):
    before = (Action.objects.count(), AuditEvent.objects.count())
    with pytest.raises(exc, match=match):
        call()
    assert (Action.objects.count(), AuditEvent.objects.count()) == before


def test_an_item_of_another_edition_answers_404(owner, meti_assessment, catalogue):
    other = catalogue["jama-factory"].items.first()
    refused_and_nothing_changed(lambda: plan_action(owner, meti_assessment, [other]), NotFound)


def test_another_organisations_scope_answers_404(owner, meti_assessment, beta):
    def call():
        services.action_create(membership=owner, actor=owner.user, scope=beta.company_scope,
                               edition=meti_assessment.edition, items=star3(meti_assessment.edition, 1),
                               title="x", due_date=DUE)

    refused_and_nothing_changed(call, NotFound)


def test_an_owner_who_is_not_a_member_is_refused(owner, meti_assessment, mallory, beta):
    refused_and_nothing_changed(
        lambda: plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1), owner=mallory),
        services.InvalidPlan, "自社のメンバー",
    )


def test_a_due_date_before_the_start_date_is_refused(owner, meti_assessment):
    refused_and_nothing_changed(
        lambda: plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1),
                            start_date=DUE, due_date=START),
        services.InvalidPlan, "2025-06-01",
    )


def test_no_title_or_no_item_is_refused_and_a_viewer_may_not_plan(owner, viewer, meti_assessment):
    refused_and_nothing_changed(lambda: plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1), title=" "),
                                services.InvalidPlan)
    refused_and_nothing_changed(lambda: plan_action(owner, meti_assessment, []), services.InvalidPlan)
    refused_and_nothing_changed(lambda: plan_action(viewer, meti_assessment, star3(meti_assessment.edition, 1)),
                                NotAllowed)


def test_done_changes_no_rating_and_the_checklist_offers_to_rerate(owner, meti_assessment, alice):
    item = star3(meti_assessment.edition, 3)[2]
    answer(owner, meti_assessment, item.number, "×")
    action = plan_action(owner, meti_assessment, [item])
    services.action_update(membership=owner, actor=alice, action=action, status=Action.Status.DONE,
                           progress_note="MFA rolled out")
    action.refresh_from_db()
    assert action.closed_at is not None
    assert Answer.objects.get(assessment=meti_assessment, item=item).rating == "×"
    change = AuditEvent.objects.get(event=ImprovementEvent.ACTION_CHANGED)
    assert change.before == {"status": "planned", "progress_note": ""}
    assert change.after == {"status": "done", "progress_note": "MFA rolled out"}
    page = client_for(alice).get(reverse("assessments:detail", args=[owner.organisation_id, meti_assessment.pk]))
    assert "対策が完了しています" in page.content.decode()
    # Re-rated achieved: the hint goes.
    answer(owner, meti_assessment, item.number, "○")
    page = client_for(alice).get(reverse("assessments:detail", args=[owner.organisation_id, meti_assessment.pk]))
    assert "対策が完了しています" not in page.content.decode()


def test_open_actions_carry_over_into_the_next_fiscal_year(owner, meti_assessment, alice):
    items = star3(meti_assessment.edition, 4)
    open_action = plan_action(owner, meti_assessment, [items[2]], title="Still going")
    done = plan_action(owner, meti_assessment, [items[3]], title="Finished last year")
    services.action_update(membership=owner, actor=alice, action=done, status=Action.Status.DONE)
    Action.objects.filter(pk=done.pk).update(closed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    for item in meti_assessment.edition.items.all():
        answer(owner, meti_assessment, item.number, Answer.objects.filter(assessment=meti_assessment, item=item).values_list("rating", flat=True).first() or "×")
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=meti_assessment)
    next_year = assessment_services.assessment_create(membership=owner, actor=alice, scope=meti_assessment.scope,
                                                      edition=meti_assessment.edition, fiscal_year=FY + 1,
                                                      carry_forward=True)
    shown = selectors.checklist_actions(owner, next_year)
    assert [a.action.title for a in shown[items[2].pk]] == ["Still going"]
    assert items[3].pk not in shown


def test_the_plan_sorts_what_closes_the_gap_first_and_filters(owner, meti_assessment, alice, bob):
    edition = meti_assessment.edition
    achieved = star3(edition, 2)  # ○ in the fixture
    open_items = star3(edition, 6)[2:]
    star4 = edition.items.filter(level="★4").first()
    one = plan_action(owner, meti_assessment, [open_items[0]], title="one gap item", due_date=datetime.date(2025, 7, 1))
    three = plan_action(owner, meti_assessment, open_items[1:4], title="three gap items", owner=bob)
    none = plan_action(owner, meti_assessment, [achieved[0], star4], title="nothing in the gap",
                       due_date=datetime.date(2025, 6, 2))
    today = datetime.date(2025, 8, 1)
    plan = selectors.plan(owner, {}, today=today)
    assert [(r.action.title, r.closes) for r in plan.rows] == [
        ("three gap items", 3), ("one gap item", 1), ("nothing in the gap", 0)
    ]
    assert [r.overdue for r in plan.rows] == [False, True, True] and plan.overdue == 2
    assert [r.action for r in selectors.plan(owner, {"owner": str(bob.pk)}, today=today).rows] == [three]
    assert [r.action for r in selectors.plan(owner, {"due": "overdue"}, today=today).rows] == [one, none]
    assert [r.action for r in selectors.plan(owner, {"level": "★4"}, today=today).rows] == [none]
    services.action_update(membership=owner, actor=alice, action=one, status=Action.Status.CANCELLED)
    assert one not in [r.action for r in selectors.plan(owner, {}, today=today).rows]
    assert [r.action for r in selectors.plan(owner, {"status": "cancelled"}, today=today).rows] == [one]


def test_plan_page_action_page_and_csv(owner, meti_assessment, alice, vera, bob):
    item = star3(meti_assessment.edition, 3)[2]
    client = client_for(alice)
    org = owner.organisation_id
    form = client.get(reverse("improvement:action_create", args=[org]) + f"?assessment={meti_assessment.pk}&item={item.pk}")
    assert form.status_code == 200 and f'value="{item.number}"' in form.content.decode()
    response = client.post(reverse("improvement:action_create", args=[org]), {
        "assessment": meti_assessment.pk, "title": "Asset list", "items": f"No.{item.number}", "owner": bob.pk,
        "start_date": "2025-06-01", "due_date": "2025-05-01", "status": "planned",
    })
    assert response.status_code == 400 and "開始日" in response.content.decode() and not Action.objects.exists()
    response = client.post(reverse("improvement:action_create", args=[org]), {
        "assessment": meti_assessment.pk, "title": "Asset list", "items": f"{item.number}, 9999", "owner": bob.pk,
        "start_date": "2025-06-01", "due_date": "2025-09-01", "status": "planned",
    })
    assert response.status_code == 400 and "No.9999" in response.content.decode() and not Action.objects.exists()
    response = client.post(reverse("improvement:action_create", args=[org]), {
        "assessment": meti_assessment.pk, "title": "Asset list", "items": item.number, "owner": bob.pk,
        "start_date": "2025-06-01", "due_date": "2025-09-01", "status": "planned",
    })
    action = Action.objects.get()
    assert response.status_code == 302 and action.owner == bob
    page = client.get(reverse("improvement:plan", args=[org])).content.decode()
    assert "Asset list" in page and "Bob" in page
    checklist = client.get(reverse("assessments:detail", args=[org, meti_assessment.pk])).content.decode()
    assert "Asset list" in checklist
    csv = client.get(reverse("improvement:plan_csv", args=[org])).content.decode("utf-8-sig")
    assert "Asset list" in csv and "2025-09-01" in csv
    # A viewer reads but cannot change.
    url = reverse("improvement:action", args=[org, action.pk])
    assert client_for(vera).get(url).status_code == 200
    assert client_for(vera).post(url, {"title": "x", "items": item.number, "start_date": "2025-06-01",
                                       "due_date": "2025-09-01", "status": "done"}).status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"


def test_another_organisations_action_answers_404(owner, meti_assessment, mallory, beta):
    action = plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1))
    client = client_for(mallory)
    for org in (owner.organisation_id, beta.pk):
        assert client.get(reverse("improvement:action", args=[org, action.pk])).status_code == 404
    assert client.get(reverse("improvement:action_create", args=[beta.pk]) + f"?assessment={meti_assessment.pk}").status_code == 404


def test_reminders_before_due_and_overdue_each_once_in_the_owners_language(owner, meti_assessment, bob, settings):
    settings.ACTION_REMINDER_DAYS_BEFORE_DUE = [7]
    action = plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1), owner=bob, due_date=DUE)
    Action.objects.filter(pk=action.pk).update(owner_language="en", created_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC))
    assert reminders.send_due(DUE - datetime.timedelta(days=8)) == {"claimed": 0, "sent": 0}
    assert reminders.send_due(DUE - datetime.timedelta(days=7)) == {"claimed": 1, "sent": 1}
    assert reminders.send_due(DUE - datetime.timedelta(days=3)) == {"claimed": 0, "sent": 0}  # at most once
    assert reminders.send_due(DUE + datetime.timedelta(days=1)) == {"claimed": 1, "sent": 1}
    assert reminders.send_due(DUE + datetime.timedelta(days=2)) == {"claimed": 0, "sent": 0}
    assert [m.to for m in mail.outbox] == [["bob@alpha.example"]] * 2
    assert mail.outbox[0].subject.startswith("Reminder: the improvement action")
    assert mail.outbox[1].subject.startswith("Overdue:")
    assert ActionReminder.objects.filter(sent_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(event=ImprovementEvent.ACTION_REMINDER_SENT).count() == 2
    # Done: no more reminders.
    services.action_update(membership=owner, actor=owner.user, action=action, due_date=DUE + datetime.timedelta(days=30))
    services.action_update(membership=owner, actor=owner.user, action=action, status=Action.Status.DONE)
    assert reminders.send_due(DUE + datetime.timedelta(days=40)) == {"claimed": 0, "sent": 0}


def test_a_japanese_owner_is_reminded_in_japanese(owner, meti_assessment, bob, settings):
    settings.ACTION_REMINDER_DAYS_BEFORE_DUE = [7]
    plan_action(owner, meti_assessment, star3(meti_assessment.edition, 1), owner=bob, due_date=DUE)
    reminders.send_due(DUE + datetime.timedelta(days=1))
    assert mail.outbox[0].subject.startswith("期限超過")


def test_the_database_sorts_the_plan_page_as_the_rule_does(owner, meti_assessment, alice, bob):
    """The page reads one page of actions in the order the database computes (selectors.plan_order);
    it is the order of sort_key: gap items closed, then the level of the first item, then the due date."""
    edition = meti_assessment.edition
    star3_open = star3(edition, 12)[2:]
    star4 = list(edition.items.filter(level="★4").order_by("position")[:3])
    specs = [
        ([star3_open[0]], datetime.date(2025, 9, 1)), (star3_open[1:3], datetime.date(2025, 12, 1)),
        ([star4[0]], datetime.date(2025, 7, 1)), ([star4[1], star3_open[3]], datetime.date(2025, 7, 1)),
        ([star4[2]], datetime.date(2025, 6, 1)), (star3_open[4:8], datetime.date(2026, 1, 1)),
        ([star3_open[8]], datetime.date(2025, 9, 1)),
    ]
    actions = [plan_action(owner, meti_assessment, items, title=f"a{n}", due_date=due) for n, (items, due) in enumerate(specs)]
    services.action_update(membership=owner, actor=alice, action=actions[5], status=Action.Status.DONE)  # closes nothing now
    for query in ({}, {"status": "all"}, {"level": "★4"}, {"owner": str(alice.pk)}):
        plan = selectors.plan(owner, query, today=datetime.date(2025, 8, 1))
        assert [r.action.pk for r in plan.page.object_list] == [r.action.pk for r in plan.rows], query
        assert plan.total == len(plan.rows)
    shown = [r.action.title for r in selectors.plan(owner, {"status": "all"}, today=datetime.date(2025, 8, 1)).page.object_list]
    assert shown == ["a1", "a0", "a6", "a3", "a5", "a4", "a2"]
