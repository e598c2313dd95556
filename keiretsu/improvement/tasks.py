"""Background work of the improvement plan, run by the database-backed worker."""

import datetime

from django.tasks import task
from django.utils import timezone

from keiretsu.supplychain.tasks import next_sweep_time

from . import reminders


@task()
def send_action_reminders(today: str = "", reschedule: bool = True) -> dict:
    """The daily sweep of action reminders; `today` (ISO date) only for tests and catching up."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = reminders.send_due(day)
    if reschedule:
        schedule_action_reminder_sweep()
    return result


def schedule_action_reminder_sweep() -> bool:
    """Queue the next daily sweep unless one is already waiting (as the request reminders do)."""
    backend = send_action_reminders.get_backend()
    if not backend.supports_defer:
        return False
    try:
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=send_action_reminders.module_path, status="READY").exists():
            return False
    except ImportError:
        pass
    send_action_reminders.using(run_after=next_sweep_time()).enqueue()
    return True
