"""Reminders 14 and 3 days before the due date and when overdue: each at most once, in the
recipient's language, sent by the background worker; and the customer's nudge by hand."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.conftest import client_for, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import reminders, services, tasks
from keiretsu.supplychain.models import Reminder

from .scenario import TODAY, add_supplier, company, inbox_request, now_local, send_requests, share, submit

pytestmark = pytest.mark.django_db


def day(month, d):
    return datetime.date(2026, month, d)


@pytest.fixture
def asked(priority_edition):
    """Created on TODAY (1 June), due 30 September; accepted by a person who works in English."""
    with time_machine.travel(now_local(TODAY), tick=False):
        customer, owner = company("Customer Motors")
        supplier_org, supplier_owner = company("Supplier Works")
        add_supplier(customer, owner, supplier_org)
        send_requests(customer, owner, customer.suppliers.all(), [priority_edition])
        req = inbox_request(supplier_org, customer, priority_edition)
        services.request_accept(
            membership=membership_of(supplier_owner, supplier_org), actor=supplier_owner, request=req, language="en"
        )
    mail.outbox.clear()
    return customer, owner, supplier_org, supplier_owner, req


def sweep(on):
    with time_machine.travel(now_local(on), tick=False):
        return reminders.send_due(on)


def test_before_the_due_date_and_when_overdue_each_once(asked):
    *_, supplier_owner, _req = asked
    sent = []
    for date in (
        day(9, 15),
        day(9, 16),
        day(9, 16),
        day(9, 20),
        day(9, 27),
        day(9, 28),
        day(9, 30),
        day(10, 1),
        day(10, 1),
        day(10, 15),
    ):
        before = len(mail.outbox)
        sweep(date)
        sent += [(date, m.subject) for m in mail.outbox[before:]]
    assert [d for d, _ in sent] == [day(9, 16), day(9, 27), day(10, 1)]
    # Fixed subjects with the customer's name (no mail relay); the dates are in the body.
    assert sent[0][1] == "Keiretsu: reminder of the self-assessment request from Customer Motors"
    assert sent[2][1] == "Keiretsu: overdue self-assessment request from Customer Motors"
    assert "in 14 day(s)" in mail.outbox[0].body and "in 3 day(s)" in mail.outbox[1].body
    assert all(m.to == [supplier_owner.email] for m in mail.outbox)
    assert list(Reminder.objects.order_by("created_at").values_list("kind", flat=True)) == [
        "due-14",
        "due-3",
        "overdue",
    ]
    assert AuditEvent.objects.filter(event="request.reminded", actor=None).count() == 3


def test_a_missed_day_is_made_up_only_with_the_nearest_reminder(asked):
    sweep(day(9, 28))  # the worker was down from 16 to 27 September
    assert [r.kind for r in Reminder.objects.all()] == ["due-3"]
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_window_that_began_before_the_request(priority_edition):
    with time_machine.travel(now_local(day(9, 20)), tick=False):
        customer, owner = company("Late Customer")
        supplier_org, _ = company("Late Supplier")
        add_supplier(customer, owner, supplier_org)
        send_requests(customer, owner, customer.suppliers.all(), [priority_edition], today=day(9, 20))
    mail.outbox.clear()
    sweep(day(9, 20))
    assert mail.outbox == []
    sweep(day(9, 27))
    assert [r.kind for r in Reminder.objects.all()] == ["due-3"]


def test_no_reminder_once_shared_or_declined(asked, priority_edition):
    customer, _, supplier_org, supplier_owner, _ = asked
    assessment = submit(supplier_org, supplier_owner, priority_edition)
    sweep(day(9, 16))
    assert "submitted: all that is left is to share it" in mail.outbox[-1].body
    share(supplier_org, supplier_owner, customer, priority_edition, assessment)
    mail.outbox.clear()
    sweep(day(10, 1))
    assert mail.outbox == []


def test_reminders_are_in_the_recipients_language(priority_edition):
    with time_machine.travel(now_local(TODAY), tick=False):
        customer, owner = company("Customer Motors")
        supplier_org, _ = company("Supplier Works")
        supplier = add_supplier(customer, owner, supplier_org)
        supplier.language = "ja"
        supplier.save()
        send_requests(customer, owner, [supplier], [priority_edition])
    mail.outbox.clear()
    sweep(day(9, 16))  # not accepted yet: to the contact on the customer's list, in Japanese
    (message,) = mail.outbox
    assert message.to == [supplier.contact_email]
    assert "リマインダー" in message.subject and "Customer Motors" in message.subject
    assert "期限" in message.body


def test_the_customer_can_nudge_by_hand_once_a_day(asked, django_capture_on_commit_callbacks):
    customer, owner, *_, req = asked
    client = client_for(owner)
    url = reverse("supplychain:request_remind", args=[customer.pk, req.pk])
    with time_machine.travel(now_local(day(7, 1)), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
        refused = client.post(url, follow=True)
    assert len(mail.outbox) == 1
    assert "Your customer sent you this reminder." in mail.outbox[0].body
    assert "already sent today" in refused.content.decode() or "本日" in refused.content.decode()
    with time_machine.travel(now_local(day(7, 2)), tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == 2
    assert list(Reminder.objects.values_list("kind", "created_by")) == [("manual", owner.pk)] * 2


def test_no_nudge_for_a_supplier_not_on_keiretsu(alpha, alice, priority_edition):
    supplier = services.supplier_add(
        membership=membership_of(alice, alpha),
        actor=alice,
        name="Newcomer",
        corporate_number=with_check_digit("800000000008"),
        contact_email="n@new.example",
    )
    (req,) = send_requests(alpha, alice, [supplier], [priority_edition])
    with pytest.raises(services.Conflict, match="not on Keiretsu yet"):
        reminders.reminder_nudge(membership=membership_of(alice, alpha), actor=alice, request=req, today=TODAY)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_each_reminder_once(settings, catalogue):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    edition = catalogue["jama-priority-items"]
    with time_machine.travel(now_local(TODAY), tick=False):
        customer, owner = company("Worker Customer")
        supplier_org, _ = company("Worker Supplier")
        add_supplier(customer, owner, supplier_org)
        send_requests(customer, owner, customer.suppliers.all(), [edition])
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")  # the request notice
    mail.outbox.clear()
    with time_machine.travel(now_local(day(9, 16)), tick=False):
        for _ in range(2):
            tasks.send_due_reminders.enqueue(today="2026-09-16", reschedule=False)
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_daily_sweep_keeps_itself_scheduled_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with time_machine.travel(now_local(TODAY, hour=9), tick=False):
        assert tasks.schedule_reminder_sweep() is True
        assert tasks.schedule_reminder_sweep() is False
        (waiting,) = DBTaskResult.objects.filter(task_path=tasks.send_due_reminders.module_path)
        assert waiting.run_after == now_local(TODAY + datetime.timedelta(days=1), hour=8)
