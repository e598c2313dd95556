"""Scheduled backups, run by the worker every day at BACKUP_HOUR; each keeps itself scheduled."""

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .backup import services
from .models import BackupRun

logger = logging.getLogger(__name__)


@task()
def scheduled_backup(reschedule: bool = True) -> dict:
    """Take, verify, copy away and prune; the next one is queued whatever happens to this one."""
    try:
        if BackupRun.objects.filter(
            trigger=BackupRun.Trigger.SCHEDULED,
            status=BackupRun.Status.SUCCEEDED,
            started_at__gte=timezone.now() - datetime.timedelta(hours=20),
        ).exists():
            return {"skipped": "a scheduled backup succeeded less than 20 hours ago"}
        backup = services.backup_create(trigger=BackupRun.Trigger.SCHEDULED, verify=True, prune=True)
        return {"file": str(backup.path), "size": backup.size, "pruned": len(backup.pruned)}
    except services.BackupError as exc:
        logger.error("Scheduled backup failed: %s", exc)
        return {"failed": str(exc)}
    finally:
        if reschedule:
            schedule_backup()


def next_backup_time(now=None) -> datetime.datetime:
    now = timezone.localtime(now)
    at = now.replace(hour=settings.BACKUP_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


def schedule_backup() -> bool:
    """Queue the next scheduled backup unless one is waiting (or BACKUP_HOUR is off)."""
    if settings.BACKUP_HOUR is None or not scheduled_backup.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=scheduled_backup.module_path, status="READY").exists():
        return False
    scheduled_backup.using(run_after=next_backup_time()).enqueue()
    return True
