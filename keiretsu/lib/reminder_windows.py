"""Which automatic reminder is due for something with a due date: the one rule behind the
supply chain's request reminders and the improvement plan's action reminders (docs/rules.md,
"Reminders")."""

import datetime

from django.utils import timezone

OVERDUE = "overdue"


def days_before(configured) -> list[int]:
    """The configured days before the due date, nearest first (negative ones ignored)."""
    return sorted({int(d) for d in configured if int(d) >= 0})


def window_due(due_date: datetime.date, created_at, today: datetime.date, days: list[int]) -> int | str | None:
    """OVERDUE after the due date; else the nearest reminder window (days before) that today is
    in; None when no window is reached, or when the nearest one had already begun when the thing
    was created (its first notice said it all)."""
    days_left = (due_date - today).days
    if days_left < 0:
        return OVERDUE
    reached = [d for d in days if days_left <= d]
    if not reached:
        return None
    nearest = reached[0]
    if timezone.localdate(created_at) > due_date - datetime.timedelta(days=nearest):
        return None
    return nearest
