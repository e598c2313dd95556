"""Backups: take one, verify one, restore one, prune old ones; each run recorded in BackupRun.

The archive is written under a hidden `.NAME.keiretsu-partial` name and renamed into place only when
complete and flushed to disk, so a file named like a backup is always a whole one; a failed or
killed run leaves at most a partial file (removed by the next run) and never touches earlier
backups.
"""

import datetime
import fcntl
import importlib.metadata
import logging
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from keiretsu.ops.models import BackupRun

from . import archive, databases

logger = logging.getLogger(__name__)
NAME = re.compile(r"^keiretsu-(\d{8})-(\d{6})\.backup$")


class BackupError(Exception):
    """A backup, verification or restore did not happen: the message says why."""


@dataclass
class Backup:
    path: Path
    size: int
    manifest: dict
    encrypted: bool
    verified: bool = False
    copied_to: str = ""
    pruned: list = field(default_factory=list)


def backup_file_name(at: datetime.datetime) -> str:
    return f"keiretsu-{timezone.localtime(at):%Y%m%d-%H%M%S}.backup"


def keiretsu_version() -> str:
    try:
        return importlib.metadata.version("keiretsu")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _storage_files(storage, folder=""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from _storage_files(storage, f"{folder}/{name}" if folder else name)


STORAGE_MARK = "@"  # files/@<alias>/<name>: a file of STORAGES[alias]; files/<name>: the default storage


def backed_up_storages() -> dict:
    """The storages a backup holds: the default one (uploads) and those of BACKUP_STORAGES
    (the evidence files), each by its archive folder ("" for the default)."""
    result = {"": default_storage}
    for alias in getattr(settings, "BACKUP_STORAGES", []):
        if alias in settings.STORAGES and alias != "default":
            result[STORAGE_MARK + alias] = storages[alias]
    return result


def _backed_up_files():
    """(archive member name below files/, storage, name in the storage) of every file to back up."""
    for folder, storage in backed_up_storages().items():
        for name in _storage_files(storage):
            if not folder and name.startswith(STORAGE_MARK):
                continue  # never taken for a named storage's file on restore
            yield (f"{folder}/{name}" if folder else name), storage, name


def _storage_for(target: str):
    """files/@alias/<name> -> (STORAGES[alias], <name>); files/<name> -> (default storage, <name>)."""
    if not target.startswith(STORAGE_MARK):
        return default_storage, target
    folder, _, name = target.partition("/")
    alias = folder.removeprefix(STORAGE_MARK)
    if alias not in settings.STORAGES or not name:
        raise BackupError(
            f"The backup holds files of the storage {alias!r}, which this installation does not configure "
            "(STORAGES / BACKUP_STORAGES)."
        )
    return storages[alias], name


@contextmanager
def _exclusive(folder: Path, run: BackupRun):
    """One backup at a time per folder; marks runs left 'running' by a killed process."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"Another backup is being written in {folder}.") from None
        for stale in folder.glob(".*.keiretsu-partial"):
            stale.unlink(missing_ok=True)
        BackupRun.objects.filter(status=BackupRun.Status.RUNNING).exclude(pk=run.pk).update(
            status=BackupRun.Status.FAILED,
            finished_at=timezone.now(),
            message="Interrupted: the process stopped before the backup was complete; no file was kept.",
        )
        yield


def _write(path: Path, run: BackupRun, keys: str) -> dict:
    """Write the archive to `path` (through a partial file); return its manifest."""
    db = databases.for_alias()
    partial = path.with_name(f".{path.name}.keiretsu-partial")
    try:
        with tempfile.TemporaryDirectory(prefix="keiretsu-backup-") as scratch:
            dump = Path(scratch) / db.part
            counts, migrations = db.dump(dump)
            with open(partial, "xb") as out:
                writer = archive.Writer(out, encryption_keys=keys)
                writer.add_path(db.part, dump)
                dump.unlink()
                files = 0
                for member, storage, name in _backed_up_files():
                    with storage.open(name, "rb") as source:
                        writer.add(archive.FILES_PREFIX + member, source, storage.size(name))
                    files += 1
                manifest = {
                    "format": archive.FORMAT,
                    "format_version": archive.FORMAT_VERSION,
                    "created_at": timezone.localtime(run.started_at).isoformat(),
                    "run_id": run.pk,
                    "keiretsu_version": keiretsu_version(),
                    "django_version": django.get_version(),
                    "database": {"engine": db.engine, "server_version": db.server_version(), "part": db.part},
                    "migrations": migrations,
                    "tables": counts,
                    "files": files,
                    "encrypted": bool(keys),
                }
                writer.finish(manifest)
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    manifest["parts"] = writer.parts
    return manifest


def backup_create(
    *, output=None, trigger=BackupRun.Trigger.MANUAL, verify=False, copy=True, prune=False, encrypt=None
) -> Backup:
    """Take a backup into `output` (default: BACKUP_DIR/keiretsu-DATE-TIME.backup)."""
    keys = settings.BACKUP_ENCRYPTION_KEY if encrypt is None or encrypt else ""
    if encrypt and not keys:
        raise BackupError("--encrypt needs BACKUP_ENCRYPTION_KEY (`keiretsu backup --new-key` makes one).")
    started = timezone.now()
    path = Path(output) if output else Path(settings.BACKUP_DIR) / backup_file_name(started)
    if path.exists():
        raise BackupError(f"{path} exists already: a backup never overwrites a file.")
    run = BackupRun.objects.create(started_at=started, trigger=trigger, file_name=str(path), encrypted=bool(keys))
    try:
        with _exclusive(path.parent, run):
            manifest = _write(path, run, keys)
            result = Backup(path=path, size=path.stat().st_size, manifest=manifest, encrypted=bool(keys))
            run.size, run.sha256 = result.size, _sha256(path)
            if verify:
                backup_verify(path=path)
                result.verified = run.verified = True
            if copy and "backup_copy" in settings.STORAGES:
                result.copied_to = run.copied_to = _copy_away(path)
            if prune:
                result.pruned = prune_backups()
    except BaseException as exc:
        run.status = BackupRun.Status.FAILED
        run.finished_at = timezone.now()
        run.message = _describe(exc, path)
        run.save()
        if isinstance(exc, (BackupError, OSError, databases.DatabaseError, archive.ArchiveError)):
            raise BackupError(run.message) from exc
        raise
    run.status = BackupRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.message = f"{manifest['files']} files, {sum(manifest['tables'].values())} rows"
    run.save()
    logger.info("Backup written: %s (%s bytes)", path, result.size)
    return result


def _describe(exc: BaseException, path: Path) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        where = exc.filename or path
        return f"Could not write {where}: {exc.strerror} (earlier backups are kept)."
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted."
    return str(exc) or type(exc).__name__


def _sha256(path: Path) -> str:
    import hashlib

    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()


def _copy_away(path: Path) -> str:
    """Copy the finished archive to the second destination (BACKUP_COPY_TO)."""
    storage = storages["backup_copy"]
    try:
        with open(path, "rb") as source:
            saved = storage.save(path.name, File(source, name=path.name))
    except Exception as exc:
        raise BackupError(
            f"The backup {path} is complete, but its copy to {settings.BACKUP_COPY_TO} failed: {exc}"
        ) from exc
    return f"{settings.BACKUP_COPY_TO.rstrip('/')}/{saved}"


def backups_to_keep(names, now=None, days=None, months=None) -> set:
    """The last `days` days' backups, and the first backup of each of the last `months` months."""
    now = timezone.localtime(now)
    days = settings.BACKUP_KEEP_DAYS if days is None else days
    months = settings.BACKUP_KEEP_MONTHS if months is None else months
    dated = sorted(
        (datetime.datetime.strptime("".join(m.groups()), "%Y%m%d%H%M%S"), n) for n in names if (m := NAME.match(n))
    )
    keep = {name for at, name in dated if (now.replace(tzinfo=None) - at) < datetime.timedelta(days=days)}
    first_of_month = {}
    for at, name in dated:
        first_of_month.setdefault((at.year, at.month), name)
    recent_months = set()
    year, month = now.year, now.month
    for _ in range(months):
        recent_months.add((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keep |= {name for ym, name in first_of_month.items() if ym in recent_months}
    return keep


def prune_backups(now=None) -> list:
    """Delete the backups retention no longer keeps, here and in the copy. Returns their names."""
    deleted = []
    folder = Path(settings.BACKUP_DIR)
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    keep = backups_to_keep(names, now)
    for name in names:
        if NAME.match(name) and name not in keep:
            (folder / name).unlink()
            deleted.append(name)
    if "backup_copy" in settings.STORAGES:
        storage = storages["backup_copy"]
        _, copies = storage.listdir("")
        keep = backups_to_keep(copies, now)
        for name in copies:
            if NAME.match(name) and name not in keep:
                storage.delete(name)
                deleted.append(f"{settings.BACKUP_COPY_TO.rstrip('/')}/{name}")
    return deleted


@dataclass
class Verification:
    manifest: dict
    tables: int
    rows: int
    files: int


def backup_verify(*, path) -> Verification:
    """Check every checksum, restore the database into a scratch database, and compare its
    row counts and migrations with the manifest."""
    db = databases.for_alias()
    with tempfile.TemporaryDirectory(prefix="keiretsu-verify-") as scratch:
        dump = Path(scratch) / "database"
        checked = _check(path, dump)
        if checked.manifest["database"]["engine"] != db.engine:
            raise BackupError(_engine_mismatch(checked.manifest, db))
        with db.scratch_copy(dump) as (counts, migrations):
            pass
    expected = checked.manifest["tables"]
    if counts != expected:
        differing = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise BackupError(f"Verification failed: row counts differ from the manifest in {', '.join(differing[:10])}.")
    if migrations != checked.manifest["migrations"]:
        raise BackupError("Verification failed: the restored migration state differs from the manifest.")
    return Verification(
        manifest=checked.manifest, tables=len(counts), rows=sum(counts.values()), files=len(checked.files)
    )


def _check(path, dump: Path) -> archive.Checked:
    try:
        return archive.check(Path(path), encryption_keys=settings.BACKUP_ENCRYPTION_KEY, extract_database_to=dump)
    except archive.ArchiveError as exc:
        raise BackupError(f"Refused: {exc} Nothing was written.") from None


def _engine_mismatch(manifest, db) -> str:
    return (
        f"This backup is of a {manifest['database']['engine']} database; this installation uses {db.engine}. "
        "A backup restores on the same database engine (docs/deploy.md says how to move between engines)."
    )


@dataclass
class Restored:
    manifest: dict
    rows: int
    files: int
    pending_migrations: int
    safety_backup: Path | None


def backup_restore(*, path, force=False) -> Restored:
    """Restore the archive into this installation's database and default storage.

    Every checksum is checked before anything is written. The database must hold no data,
    unless `force`, which first takes a backup of what is there.
    """
    db = databases.for_alias()
    with tempfile.TemporaryDirectory(prefix="keiretsu-restore-") as scratch:
        dump = Path(scratch) / "database"
        checked = _check(path, dump)
        manifest = checked.manifest
        if manifest["database"]["engine"] != db.engine:
            raise BackupError(_engine_mismatch(manifest, db))
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = [
            (app, name) for app, names in manifest["migrations"].items() for name in names if (app, name) not in known
        ]
        if unknown:
            raise BackupError(
                f"This backup was made by a newer Keiretsu ({manifest['keiretsu_version']}): it has migrations this "
                f"version does not know ({unknown[0][0]}.{unknown[0][1]} …). Install that version, then restore."
            )
        safety = None
        present = databases.data_rows(db.row_counts()) if db.has_tables() else 0
        if present:
            if not force:
                raise BackupError(
                    f"Refused: the database is not empty ({present} rows of data). Restore into an empty database, "
                    "or use --force, which first takes a backup of what is there. Nothing was restored."
                )
            safety = backup_create(trigger=BackupRun.Trigger.BEFORE_RESTORE, copy=False).path
        try:
            db.restore(dump)
        except databases.DatabaseError as exc:
            raise BackupError(str(exc)) from exc
    files = _restore_files(Path(path))
    _after_restore(manifest, Path(path))
    pending = len(known - {(app, name) for app, names in manifest["migrations"].items() for name in names})
    return Restored(
        manifest=manifest,
        rows=sum(manifest["tables"].values()),
        files=files,
        pending_migrations=pending,
        safety_backup=safety,
    )


def _restore_files(path: Path) -> int:
    try:
        with archive.read_errors():
            return _write_files(path)
    except archive.ArchiveError as exc:  # the archive changed since it was checked
        raise BackupError(f"The database is restored, but not every file: {exc}") from None


def _write_files(path: Path) -> int:
    count = 0
    for name, fileobj in archive.members(path, settings.BACKUP_ENCRYPTION_KEY):
        if not name.startswith(archive.FILES_PREFIX):
            continue
        storage, target = _storage_for(archive.storage_name(name))
        if storage.exists(target):
            storage.delete(target)
        saved = storage.save(target, File(fileobj, name=target))
        if saved != target:
            raise BackupError(f"The file {target} could not be restored under its own name (saved as {saved}).")
        count += 1
    return count


def _after_restore(manifest: dict, path: Path):
    """The restored database still shows the backup that made it as running: settle it."""
    from keiretsu.catalogue.selectors import forget_structures

    for each in caches.all(initialized_only=True):  # pages cache catalogue text by primary key
        each.clear()
    forget_structures()
    try:
        BackupRun.objects.filter(pk=manifest.get("run_id"), status=BackupRun.Status.RUNNING).update(
            status=BackupRun.Status.SUCCEEDED, finished_at=timezone.now(), message=f"Restored from {path.name}."
        )
        BackupRun.objects.filter(status=BackupRun.Status.RUNNING).update(
            status=BackupRun.Status.FAILED,
            finished_at=timezone.now(),
            message="Interrupted: still running when the restored backup was taken.",
        )
    except Exception:  # an older schema without the table: `keiretsu migrate` comes next
        logger.warning("Could not settle backup runs after the restore", exc_info=True)
