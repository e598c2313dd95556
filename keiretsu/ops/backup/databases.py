"""The database part of a backup, per engine: a consistent dump, its row counts, a restore.

PostgreSQL: `pg_dump` in its custom format, taken in a snapshot exported by a REPEATABLE READ
transaction in which the row counts and the migration state are read too, so that the
manifest describes exactly what the dump holds, while the application keeps writing.
Restored with `pg_restore` piped into one `psql --single-transaction`: all or nothing.
SQLite: the online backup API (a consistent copy while the server runs); restored with the
same API into the live file, in one step.

Why native dumps rather than a portable one (Django's dumpdata): they are exact (every table,
sequence, constraint and the migration history, with no model code involved), fast, and
consistent under load; dumpdata is none of these for a large database. The cost: a backup
restores on the same engine. Moving between engines is a separate, rarer step (docs/deploy.md).
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connections

# Tables that may hold rows in a database that holds no data yet: migration history, what
# `migrate` creates by itself, sessions, cache, the worker's heartbeat and backup runs.
BOOKKEEPING_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
    "keiretsu_cache",
    "ops_workerheartbeat",
    "ops_backuprun",
    "django_tasks_database_dbtaskresult",
}


class DatabaseError(Exception):
    """A dump or restore failed: the message says why, for the operator."""


def for_alias(alias="default"):
    settings_dict = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return SQLiteDatabase(alias, settings_dict)
    if vendor == "postgresql":
        return PostgresDatabase(alias, settings_dict)
    raise DatabaseError(f"Backups support SQLite and PostgreSQL, not {vendor}.")


class SQLiteDatabase:
    engine = "sqlite"
    part = "database.sqlite3"

    def __init__(self, alias, settings_dict):
        self.alias = alias
        self.name = str(settings_dict["NAME"])

    def _connect(self, name=None, timeout=30):
        name = name or self.name
        return sqlite3.connect(name, uri=name.startswith("file:"), timeout=timeout)

    def server_version(self):
        return sqlite3.sqlite_version

    def dump(self, target: Path):
        """Copy the live database to `target`; return (row counts, migrations) of the copy."""
        source = self._connect()
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            source.close()
            copy.close()
        return self.describe(target)

    def describe(self, path=None):
        db = self._connect(str(path) if path else None)
        try:
            return _describe(
                db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"Not a readable SQLite database: {exc}") from None
        finally:
            db.close()

    def row_counts(self):
        return self.describe()[0] if self.has_tables() else {}

    def has_tables(self):
        db = self._connect()
        try:
            return db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
        finally:
            db.close()

    def restore(self, source: Path):
        """Replace the live database with `source`, in one step."""
        connections[self.alias].close()
        copy = sqlite3.connect(source)
        live = self._connect()
        try:
            copy.backup(live)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"The restore failed; the database is unchanged: {exc}") from None
        finally:
            copy.close()
            live.close()

    @contextlib.contextmanager
    def scratch_copy(self, source: Path):
        """A throw-away database restored from `source`, for --verify; yields its describe()."""
        with tempfile.TemporaryDirectory(prefix="keiretsu-verify-") as folder:
            scratch = Path(folder) / "verify.sqlite3"
            copy, target = sqlite3.connect(source), sqlite3.connect(scratch)
            try:
                copy.backup(target)
            finally:
                copy.close()
                target.close()
            yield self.describe(scratch)


class PostgresDatabase:
    engine = "postgresql"
    part = "database.pgdump"
    # Options Django reads itself; everything else in OPTIONS is a libpq connection parameter.
    _DJANGO_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "context"}
    _TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"

    def __init__(self, alias, settings_dict):
        self.alias = alias
        self.settings = settings_dict
        self.name = settings_dict["NAME"]

    def _params(self, dbname=None):
        params = {
            "dbname": dbname or self.name,
            "user": self.settings.get("USER") or None,
            "password": self.settings.get("PASSWORD") or None,
            "host": self.settings.get("HOST") or None,
            "port": str(self.settings.get("PORT") or "") or None,
        }
        params.update({k: v for k, v in (self.settings.get("OPTIONS") or {}).items() if k not in self._DJANGO_OPTIONS})
        return {k: v for k, v in params.items() if v is not None}

    def _connect(self, dbname=None, **kwargs):
        import psycopg

        params = self._params(dbname)
        params.setdefault("connect_timeout", 10)
        return psycopg.connect(**params, **kwargs)

    def _tool_env(self, dbname=None):
        """libpq environment for pg_dump / psql: the password never appears in a process list."""
        params = self._params(dbname)
        env = {**os.environ, "PGDATABASE": params.pop("dbname"), "PGCONNECT_TIMEOUT": "10"}
        names = {"user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
        for key, value in params.items():
            env[names.get(key, "PG" + key.upper())] = str(value)
        return env

    @staticmethod
    def _tool(name):
        path = shutil.which(name)
        if not path:
            raise DatabaseError(f"{name} is missing: install the PostgreSQL client (Debian: postgresql-client).")
        return path

    def server_version(self):
        with self._connect() as db:
            return db.execute("SHOW server_version").fetchone()[0]

    def dump(self, target: Path):
        from psycopg import IsolationLevel

        with self._connect() as db:
            db.isolation_level = IsolationLevel.REPEATABLE_READ
            db.read_only = True
            snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts, migrations = _describe(db, self._TABLES)
            command = [self._tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            command += [f"--snapshot={snapshot}", f"--file={target}"]
            done = subprocess.run(command, env=self._tool_env(), capture_output=True, text=True, check=False)
            db.rollback()
        if done.returncode != 0:
            raise DatabaseError(f"pg_dump failed: {done.stderr.strip()}")
        return counts, migrations

    def describe(self, dbname=None):
        with self._connect(dbname) as db:
            return _describe(db, self._TABLES)

    def row_counts(self):
        return self.describe()[0]

    def has_tables(self):
        return bool(self.row_counts())

    def _load(self, source: Path, dbname=None):
        """Drop what the database holds and load `source`, in one transaction (psql -1)."""
        with self._connect(dbname) as db:
            tables = [t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        with tempfile.NamedTemporaryFile("w", suffix=".sql", prefix="keiretsu-restore-") as preamble:
            preamble.write("SET client_min_messages = warning;\n")
            if tables:
                quoted = ", ".join('"' + t.replace('"', '""') + '"' for t in tables)
                preamble.write(f"DROP TABLE IF EXISTS {quoted} CASCADE;\n")
            preamble.flush()
            reader = subprocess.Popen(
                [self._tool("pg_restore"), "--no-owner", "--no-privileges", "--no-comments", "--file=-", str(source)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            loader = subprocess.run(
                [self._tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
                + ["-f", preamble.name, "-f", "-"],
                stdin=reader.stdout,
                env=self._tool_env(dbname),
                capture_output=True,
                text=True,
                check=False,
            )
            reader.stdout.close()
            reader_error = reader.stderr.read().decode(errors="replace").strip()
            reader.wait()
        if reader.returncode != 0:
            raise DatabaseError(f"pg_restore could not read the dump; the database is unchanged: {reader_error}")
        if loader.returncode != 0:
            raise DatabaseError(f"The restore failed; the database is unchanged: {loader.stderr.strip()[-2000:]}")

    def restore(self, source: Path):
        connections[self.alias].close()
        self._load(source)

    @contextlib.contextmanager
    def scratch_copy(self, source: Path):
        """A throw-away database named after ours (NAME_verify_PID), dropped afterwards."""
        import psycopg

        scratch = f"{self.name}_verify_{os.getpid()}"[:63]
        with self._connect(autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            try:
                db.execute(f'CREATE DATABASE "{scratch}"')
            except psycopg.Error as exc:
                raise DatabaseError(f"--verify needs a role allowed to create a scratch database: {exc}") from None
        try:
            self._load(source, dbname=scratch)
            yield self.describe(scratch)
        finally:
            with self._connect(autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _describe(db, tables_query):
    """(rows per table, applied migrations per app) of a database, through its DB-API connection."""
    tables = [name for (name,) in db.execute(tables_query)]
    counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t.replace(chr(34), chr(34) * 2)}"').fetchone()[0] for t in tables}
    migrations = (
        _migrations(db.execute("SELECT app, name FROM django_migrations ORDER BY id"))
        if "django_migrations" in counts
        else {}
    )
    return counts, migrations


def _migrations(rows):
    applied = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def data_rows(counts: dict) -> int:
    """Rows that are data, not bookkeeping: a database with none is empty."""
    return sum(n for table, n in counts.items() if table not in BOOKKEEPING_TABLES)
