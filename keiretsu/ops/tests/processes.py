"""Real processes for the operations tests: scratch databases, `keiretsu` commands, servers.

The tests that kill processes, restore backups or run two servers work on databases of their
own (never the test database pytest-django made): a file in a temporary folder on SQLite, or
NAME_<suffix> beside DATABASE_URL's database on PostgreSQL (dropped afterwards).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
BASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith(("postgres://", "postgresql://"))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def require_redis():
    if not redis_available():
        if os.environ.get("KEIRETSU_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required (KEIRETSU_REQUIRE_REDIS is set) but {REDIS_URL} does not answer")
        pytest.skip(f"Redis does not answer at {REDIS_URL} (.ci/run starts one)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScratchDatabase:
    def __init__(self, suffix: str, folder: Path):
        self.suffix = suffix
        if ON_POSTGRES:
            parts = urlsplit(BASE_URL)
            self.name = f"{parts.path.lstrip('/')}_{suffix}"
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
        else:
            self.path = folder / f"{suffix}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as db:
            db.execute(sql)

    def create(self):
        if ON_POSTGRES:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self):
        if ON_POSTGRES:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql, *params):
        """Rows of one query, read straight from the database (not through Django)."""
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as db:
                return db.execute(sql.replace("?", "%s"), params).fetchall()
        import sqlite3

        db = sqlite3.connect(self.path)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()


class Site:
    """One installation: a database, an uploads folder, a backups folder; runs commands on it."""

    def __init__(self, folder: Path, database: ScratchDatabase, **env):
        self.folder = folder
        self.database = database
        self.media = folder / "media"
        self.backups = folder / "backups"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_URL", "CACHE_", "BACKUP_", "TASKS_", "DJANGO_SETTINGS", "PYTEST"))
        }
        self.env.update(
            DATABASE_URL=database.url,
            MEDIA_ROOT=str(self.media),
            BACKUP_DIR=str(self.backups),
            STATIC_ROOT=str(folder.parent / "static"),
            DJANGO_SETTINGS_MODULE="keiretsu.settings",
            PYTHONUNBUFFERED="1",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            **env,
        )

    def _run(self, argv, timeout, env):
        return subprocess.run(
            [sys.executable, "-m", *argv],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def command(self, *args, check=True, timeout=300, **env):
        done = self._run(["keiretsu.cli", *args], timeout, env)
        if check and done.returncode != 0:
            raise AssertionError(f"keiretsu {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def python(self, module, *args, timeout=300, **env):
        """Run `python -m module args` against this site; returns its JSON output."""
        done = self._run([module, *args], timeout, env)
        if done.returncode != 0:
            raise AssertionError(f"{module} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, *args, **env) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


def wait_for_line(process: subprocess.Popen, marker: str, timeout=120) -> list[str]:
    """Read the process's output until a line contains `marker`."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} never came:\n{''.join(lines[-50:])}")


def kill(process: subprocess.Popen, sig=signal.SIGKILL):
    """Signal the process's whole group (it was started in a session of its own)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server stopped:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def gunicorn(site: Site, port: int, **env) -> subprocess.Popen:
    return site.start(
        "gunicorn", "keiretsu.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "4", "--worker-class", "gthread", "--no-control-socket", **env,
    )  # fmt: skip


def chromium_missing() -> bool:
    return not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium")
