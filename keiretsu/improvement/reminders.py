"""Reminders to the owners of improvement actions: before the due date and when overdue, each
at most once (docs/rules.md, "Improvement actions"), in the owner's language.

The same mechanism as the supply chain's request reminders (supplychain/reminders.py): the
worker runs `tasks.send_action_reminders` once a day; a reminder is claimed (a row with a
unique constraint: action, kind, due date) and audited before it is sent, so a second run or a
second worker never repeats it; a missed day is not made up with a stale reminder. A new due
date may be reminded of again.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.lib import reminder_windows

from .models import Action, ActionReminder, ImprovementEvent

logger = logging.getLogger(__name__)


def reminder_days() -> list[int]:
    """Days before the due date, nearest first."""
    return reminder_windows.days_before(settings.ACTION_REMINDER_DAYS_BEFORE_DUE)


def kind_due(action: Action, today: datetime.date, days: list[int]) -> str | None:
    """Which automatic reminder is due today, if any (the rule: lib.reminder_windows)."""
    nearest = reminder_windows.window_due(action.due_date, action.created_at, today, days)
    if nearest is None:
        return None
    if nearest == reminder_windows.OVERDUE:
        return ActionReminder.OVERDUE
    return f"before:{nearest}"


def claim_due(today: datetime.date) -> list[ActionReminder]:
    days = reminder_days()
    horizon = today + datetime.timedelta(days=max(days, default=0))
    actions = list(
        Action.objects.open()
        .filter(owner__isnull=False, owner__is_active=True, due_date__lte=horizon)
        .select_related("owner", "organisation", "edition__guideline", "scope__organisation", "scope__parent")
    )
    sent = set(
        ActionReminder.objects.filter(action__in=[a.pk for a in actions]).values_list("action_id", "kind", "due_date")
    )
    claimed = []
    for action in actions:
        kind = kind_due(action, today, days)
        if kind is None or (action.pk, kind, action.due_date) in sent:
            continue
        try:
            with transaction.atomic():
                reminder = ActionReminder.objects.create(action=action, kind=kind, due_date=action.due_date)
                audit.record(
                    actor=None,
                    organisation=action.organisation,
                    event=ImprovementEvent.ACTION_REMINDER_SENT,
                    target=action,
                    after={"kind": kind, "due_date": action.due_date.isoformat(), "owner": str(action.owner)},
                )
        except IntegrityError:
            continue  # claimed by another run meanwhile
        reminder.action = action
        claimed.append(reminder)
    return claimed


def deliver(reminder: ActionReminder, *, today: datetime.date) -> bool:
    action = reminder.action
    url = settings.SITE_URL.rstrip("/") + reverse("improvement:action", args=[action.organisation_id, action.pk])
    days_left = (action.due_date - today).days
    try:
        with translation.override(action.owner_language or settings.LANGUAGE_CODE):
            if days_left < 0:
                subject = _("Overdue: the improvement action “%(title)s” was due on %(date)s")
            else:
                subject = _("Reminder: the improvement action “%(title)s” is due on %(date)s")
            subject %= {"title": action.title[:60], "date": action.due_date.isoformat()}
            body = render_to_string(
                "improvement/email/reminder.txt",
                {"action": action, "url": url, "days_left": days_left, "days_late": -days_left},
            )
        send_mail(subject, body, None, [action.owner.email])
    except Exception as exc:  # SMTP down...: keep the reason on the row; at most once, not retried
        logger.exception("action reminder %s could not be sent", reminder.pk)
        ActionReminder.objects.filter(pk=reminder.pk).update(error=str(exc)[:1000])
        return False
    ActionReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now(), recipients=action.owner.email)
    return True


def send_due(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    claimed = claim_due(today)
    delivered = sum(deliver(reminder, today=today) for reminder in claimed)
    return {"claimed": len(claimed), "sent": delivered}
