"""The task worker's heartbeat, and what happens to a task whose worker died.

django-tasks-db's worker claims a task by marking it RUNNING under its worker id; a worker
killed meanwhile (SIGKILL, out of memory, power) leaves it RUNNING for ever. Our worker
(`keiretsu worker`) therefore writes a heartbeat, and every worker looks, at each beat, for
tasks RUNNING under a worker silent for WORKER_LOST_AFTER seconds: each is queued again (our
tasks are written to be run again: each does its work in one transaction and checks what is
already done), or marked failed with the reason after TASK_MAX_ATTEMPTS runs.
"""

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker stopped while running it."""


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def recover_interrupted_tasks(now: datetime.datetime | None = None, *, me: str = "") -> dict:
    """Queue again (or fail) the tasks left RUNNING by a worker that stopped beating."""
    now = now or timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.WORKER_LOST_AFTER)
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=silent_since).values_list("worker_id", flat=True))
    alive.add(me)
    # Started before `silent_since`: a worker without a heartbeat (plain db_worker) gets that long.
    candidates = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=silent_since)
    counts = {"requeued": 0, "failed": 0}
    for pk, worker_ids in candidates.values_list("pk", "worker_ids"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            result = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if result is None:  # finished, or another worker is recovering it right now
                continue
            attempts = len(result.worker_ids)
            if attempts < settings.TASK_MAX_ATTEMPTS:
                result.status = TaskResultStatus.READY
                result.save(update_fields=["status"])
                counts["requeued"] += 1
                logger.warning("Task %s (%s) was interrupted (run %s): queued again", pk, result.task_path, attempts)
            else:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                result.traceback = (
                    f"WorkerLost: the worker running this task stopped without finishing it, {attempts} times "
                    f"(workers {', '.join(result.worker_ids)}); it is not run again."
                )
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                counts["failed"] += 1
                logger.error("Task %s (%s) was interrupted %s times: marked failed", pk, result.task_path, attempts)
    return counts


class Heartbeat(threading.Thread):
    """Beats in its own thread, so a long task does not make the worker look dead."""

    def __init__(self, worker_id: str):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat_once(self):
        try:
            beat(self.worker_id, self.started_at)
            recover_interrupted_tasks(me=self.worker_id)
        except DatabaseError:
            logger.warning("Heartbeat: the database is unavailable", exc_info=True)
        finally:
            connection.close()  # this thread's connection

    def run(self):
        while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
            self.beat_once()
