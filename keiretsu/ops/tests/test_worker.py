"""The worker's heartbeat, and tasks left running by a worker that died."""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keiretsu.ops import tasks as ops_tasks
from keiretsu.ops import worker
from keiretsu.ops.models import WorkerHeartbeat
from keiretsu.supplychain import tasks as supplychain_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.WORKER_LOST_AFTER = 90
    settings.TASK_MAX_ATTEMPTS = 3


def running(worker_ids, started_seconds_ago):
    result = supplychain_tasks.send_request_notice.enqueue([1])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - datetime.timedelta(seconds=started_seconds_ago),
    )
    return result.id


def status(pk):
    return DBTaskResult.objects.get(pk=pk)


def test_a_beat_records_the_worker():
    started = timezone.now()
    worker.beat("w-1", started)
    worker.beat("w-1", started)
    [row] = WorkerHeartbeat.objects.all()
    assert (row.worker_id, row.started_at) == ("w-1", started) and row.pid > 0


def test_a_task_of_a_silent_worker_is_queued_again(database_worker):
    pk = running(["dead"], started_seconds_ago=120)
    assert worker.recover_interrupted_tasks() == {"requeued": 1, "failed": 0}
    assert status(pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=pk).exists()


def test_after_its_last_attempt_it_is_marked_failed_with_the_reason(database_worker):
    pk = running(["w1", "w2", "w3"], started_seconds_ago=120)
    assert worker.recover_interrupted_tasks() == {"requeued": 0, "failed": 1}
    task = status(pk)
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == "keiretsu.ops.worker.WorkerLost"
    assert "stopped without finishing it, 3 times" in task.traceback


def test_tasks_of_live_workers_and_recent_tasks_are_left_alone(database_worker):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1, started_at=now, last_seen=now)
    long_task = running(["alive"], started_seconds_ago=3600)
    recent = running(["unknown"], started_seconds_ago=30)  # e.g. a plain db_worker: given WORKER_LOST_AFTER
    mine = running(["me"], started_seconds_ago=3600)
    assert worker.recover_interrupted_tasks(me="me") == {"requeued": 0, "failed": 0}
    assert {status(pk).status for pk in (long_task, recent, mine)} == {TaskResultStatus.RUNNING}


def test_a_worker_that_stopped_beating_is_lost(database_worker):
    then = timezone.now() - datetime.timedelta(seconds=100)
    WorkerHeartbeat.objects.create(worker_id="gone", hostname="h", pid=1, started_at=then, last_seen=then)
    pk = running(["gone"], started_seconds_ago=95)
    assert worker.recover_interrupted_tasks()["requeued"] == 1
    assert status(pk).status == TaskResultStatus.READY


def test_the_daily_backup_is_queued_once_at_its_hour(database_worker, settings):
    settings.BACKUP_HOUR = 2
    assert ops_tasks.schedule_backup() is True
    assert ops_tasks.schedule_backup() is False
    [queued] = DBTaskResult.objects.filter(task_path=ops_tasks.scheduled_backup.module_path)
    run_after = timezone.localtime(queued.run_after)
    assert (run_after.hour, run_after.minute) == (2, 0)
    assert timezone.now() < queued.run_after <= timezone.now() + datetime.timedelta(days=1)


def test_no_schedule_when_backups_are_off(database_worker, settings):
    settings.BACKUP_HOUR = None
    assert ops_tasks.schedule_backup() is False
