"""/healthz and /readyz: each check's state as JSON, 503 naming the check that failed."""

import datetime
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from keiretsu.ops import health
from keiretsu.ops.models import BackupRun, WorkerHeartbeat
from keiretsu.conftest import give_totp

pytestmark = pytest.mark.django_db
DATABASE_WORKER = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def heartbeat(seconds_ago):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="app1", pid=1, started_at=now, last_seen=now - datetime.timedelta(seconds=seconds_ago)
    )


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_with_every_check_ok(client, settings):
    settings.TASKS = DATABASE_WORKER
    heartbeat(seconds_ago=20)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "migrations": True, "cache": True, "worker": True,
    }  # fmt: skip
    assert body["checks"]["worker"]["last_seen_seconds_ago"] == 20
    assert body["backup"] == {"state": "none"}


def test_readyz_holds_no_data_and_no_secrets(client, settings):
    text = client.get("/readyz").content.decode()
    for secret in (settings.SECRET_KEY, str(settings.DATABASES["default"]["NAME"]), "app1", "password"):
        assert secret not in text


@pytest.mark.parametrize(("seconds_ago", "ready"), [(None, False), (299, True), (301, False)])
def test_readyz_needs_a_worker_seen_in_the_last_five_minutes(client, settings, seconds_ago, ready):
    settings.TASKS = DATABASE_WORKER
    if seconds_ago is not None:
        heartbeat(seconds_ago)
    response = client.get("/readyz")
    assert response.status_code == (200 if ready else 503)
    assert response.json()["checks"]["worker"]["ok"] is ready


def test_readyz_reports_a_database_that_fails(client, monkeypatch):
    def broken():
        raise OperationalError("connection refused to db.internal:5432 user=keiretsu")

    monkeypatch.setattr(health, "_database_and_migrations", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["worker"]["ok"] is False and body["backup"] is None
    assert "db.internal" not in response.content.decode()


def test_readyz_answers_within_a_second_when_the_database_hangs(client, monkeypatch):
    monkeypatch.setattr(health, "_database_and_migrations", lambda: time.sleep(3))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "no answer within 1 s"}


def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    class Pending:
        def __init__(self, connection):
            self.loader = type("Loader", (), {"graph": type("Graph", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            return [("accounts", "0099_future"), ("ops", "0099_future")]

    monkeypatch.setattr(health, "MigrationExecutor", Pending)
    monkeypatch.setattr(health, "_migrations_applied", type(health._migrations_applied)())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "error": "2 unapplied"}
    assert response.json()["checks"]["database"] == {"ok": True}


def test_readyz_reports_a_cache_that_fails(client, monkeypatch):
    from django.core.cache import cache

    def refuse(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}


def test_readyz_shows_the_last_backup_without_failing_on_it(client):
    BackupRun.objects.create(
        started_at=timezone.now() - datetime.timedelta(hours=3), status=BackupRun.Status.SUCCEEDED, verified=True
    )
    BackupRun.objects.create(started_at=timezone.now(), status=BackupRun.Status.FAILED, message="disk full")
    response = client.get("/readyz")
    assert response.status_code == 200
    backup = response.json()["backup"]
    assert backup["state"] == "failed" and backup["verified"] is False and backup["age_hours"] == 0.0
    assert "disk full" not in response.content.decode()


def test_the_administrators_page_shows_the_last_backup_and_the_worker(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.com", "x" * 12)
    give_totp(admin)  # staff must have a second factor
    client.force_login(admin)
    assert "バックアップはまだありません" in client.get("/admin/").content.decode()
    BackupRun.objects.create(
        started_at=timezone.now(), status=BackupRun.Status.SUCCEEDED, verified=True, finished_at=timezone.now()
    )
    heartbeat(seconds_ago=12)
    page = client.get("/admin/").content.decode()
    assert "成功" in page and "検証済み" in page and "12 秒前" in page


def test_health_checks_answer_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
