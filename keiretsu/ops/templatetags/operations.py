from django import template
from django.utils import timezone

from keiretsu.ops.models import BackupRun, WorkerHeartbeat

register = template.Library()


@register.inclusion_tag("ops/operations_status.html")
def operations_status():
    """The last backup and the newest worker heartbeat, for the administrator's index page."""
    last = BackupRun.objects.exclude(status=BackupRun.Status.RUNNING).first()
    last_success = BackupRun.objects.filter(status=BackupRun.Status.SUCCEEDED).first()
    worker = WorkerHeartbeat.objects.order_by("-last_seen").first()
    return {
        "last": last,
        "last_success": last_success,
        "running": BackupRun.objects.filter(status=BackupRun.Status.RUNNING).first(),
        "worker": worker,
        "worker_age": int((timezone.now() - worker.last_seen).total_seconds()) if worker else None,
    }
