"""The checks behind /readyz: cheap enough for a proxy to call every few seconds.

Each check answers (ok, detail) without data or secrets: no host names, no database names.
The database check runs in a thread of its own with a deadline, so that a database that does
not answer makes /readyz say so within a second instead of hanging the proxy's probe.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

DATABASE_DEADLINE = 1.0  # seconds

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
_migrations_applied = threading.Event()  # once all are applied, they stay applied for this code


def _database_and_migrations():
    connection = connections[DEFAULT_DB_ALIAS]  # this thread's own connection
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied.is_set():
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                return True, len(pending)
            _migrations_applied.set()
        return True, 0
    finally:
        connection.close()  # a probe every few seconds: no connection held between them


def check_database():
    """(database check, migrations check), within DATABASE_DEADLINE."""
    future = _executor.submit(_database_and_migrations)
    try:
        _, pending = future.result(timeout=DATABASE_DEADLINE)
    except FutureTimeout:
        return {"ok": False, "error": "no answer within 1 s"}, {"ok": False, "error": "database unavailable"}
    except Exception as exc:  # noqa: BLE001 (any failure is "not ready")
        return {"ok": False, "error": type(exc).__name__}, {"ok": False, "error": "database unavailable"}
    if pending:
        return {"ok": True}, {"ok": False, "error": f"{pending} unapplied"}
    return {"ok": True}, {"ok": True}


def check_cache():
    try:
        cache.set("readyz", "1", 30)
        if cache.get("readyz") != "1":
            return {"ok": False, "error": "value not read back"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_worker(database_ok: bool):
    from .models import WorkerHeartbeat

    if not database_ok:
        return {"ok": False, "error": "database unavailable"}
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return {"ok": True, "detail": "tasks run inside the request"}
    last = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    if last is None:
        return {"ok": False, "error": "no worker has run"}
    age = (timezone.now() - last).total_seconds()
    state = {"ok": age <= settings.READYZ_WORKER_MAX_AGE, "last_seen_seconds_ago": int(age)}
    if not state["ok"]:
        state["error"] = f"not seen for more than {settings.READYZ_WORKER_MAX_AGE} s"
    return state


def last_backup(database_ok: bool):
    """The last backup's time and result: reported, but not a reason to take a server out."""
    from .models import BackupRun

    if not database_ok:
        return None
    run = BackupRun.objects.exclude(status=BackupRun.Status.RUNNING).order_by("-started_at").first()
    if run is None:
        return {"state": "none"}
    return {
        "state": run.status,
        "at": timezone.localtime(run.finished_at or run.started_at).isoformat(timespec="seconds"),
        "verified": run.verified,
        "age_hours": round((timezone.now() - run.started_at) / datetime.timedelta(hours=1), 1),
    }


def readiness():
    database, migrations = check_database()
    checks = {
        "database": database,
        "migrations": migrations,
        "cache": check_cache(),
        "worker": check_worker(database["ok"]) if database["ok"] else {"ok": False, "error": "database unavailable"},
    }
    ready = all(check["ok"] for check in checks.values())
    return ready, {"status": "ok" if ready else "unavailable", "checks": checks, "backup": last_backup(database["ok"])}
