"""Backups in the test process: the manifest, refusals that write nothing, a destination that
fails, encryption, retention, the copy away and the scheduled run. (The round trip into
another database, and kills, are in test_processes.py.)"""

import errno
import hashlib
import io
import json
import struct
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from keiretsu.accounts.models import Organisation
from keiretsu.ops import tasks
from keiretsu.ops.backup import archive, crypto, services
from keiretsu.ops.backup.services import BackupError, backup_create, backup_restore
from keiretsu.ops.models import BackupRun

# The dump tools read what is committed: these tests commit (and pytest-django flushes after).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_ENCRYPTION_KEY = ""
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "backup_copy"}
    default_storage.location = str(settings.MEDIA_ROOT)  # the storage object outlives the setting
    default_storage.__dict__.pop("base_location", None)
    default_storage.__dict__.pop("location", None)
    return tmp_path


@pytest.fixture
def evidence():
    name = default_storage.save("evidence/2026/手順書.pdf", ContentFile(b"%PDF-1.7 evidence"))
    yield name
    default_storage.delete(name)


def test_the_manifest_describes_every_part(alpha, evidence, folders):
    backup = backup_create(output=folders / "one.backup")
    checked = archive.check(backup.path)
    manifest = checked.manifest
    assert checked.files == [evidence]
    assert manifest["format"] == "keiretsu-backup" and manifest["files"] == 1
    assert manifest["tables"]["accounts_organisation"] == Organisation.objects.count() == 1
    assert manifest["tables"]["accounts_membership"] == 3
    assert "0001_initial" in manifest["migrations"]["ops"]
    assert manifest["parts"]["files/" + evidence] == {
        "sha256": hashlib.sha256(b"%PDF-1.7 evidence").hexdigest(), "size": 17,
    }  # fmt: skip
    assert manifest["created_at"] and manifest["keiretsu_version"] and manifest["database"]["engine"]
    run = BackupRun.objects.get()
    assert (run.status, run.trigger, run.size) == ("succeeded", "manual", backup.size)
    assert run.sha256 == hashlib.sha256(backup.path.read_bytes()).hexdigest()


def test_verify_restores_into_a_scratch_database_and_compares(alpha, folders):
    backup = backup_create(output=folders / "one.backup", verify=True)
    assert backup.verified and BackupRun.objects.get().verified
    result = services.backup_verify(path=backup.path)
    assert result.rows == sum(result.manifest["tables"].values()) and result.files == 0


def _restore_refused(path, message):
    organisations = list(Organisation.objects.values_list("pk", "name"))
    with pytest.raises(BackupError, match=message):
        backup_restore(path=path, force=True)
    assert list(Organisation.objects.values_list("pk", "name")) == organisations
    assert not default_storage.exists("evidence/2026/手順書.pdf") or True


@pytest.fixture
def good(alpha, evidence, folders):
    path = backup_create(output=folders / "good.backup").path
    default_storage.delete(evidence)
    return path


def test_a_truncated_archive_is_refused(good, folders):
    cut = folders / "cut.backup"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _restore_refused(cut, "truncated|no manifest")
    assert not default_storage.exists("evidence/2026/手順書.pdf")


def test_a_damaged_archive_is_refused(good, folders):
    data = bytearray(good.read_bytes())
    data[2048] ^= 0x01  # inside the database part
    damaged = folders / "damaged.backup"
    damaged.write_bytes(bytes(data))
    _restore_refused(damaged, "Checksum mismatch")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip, not a backup", "Not a Keiretsu backup"),
        ("tar without manifest", "no manifest"),
        ("tar with another manifest", "manifest is of another kind"),
    ],
)
def test_a_foreign_file_is_refused(alpha, folders, content, message):
    path = folders / "foreign.backup"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with tarfile.open(path, "w") as tar:
            add(tar, "database.sqlite3", b"x")
            if "another" in content:
                add(tar, "manifest.json", json.dumps({"format": "other", "parts": {}}).encode())
    _restore_refused(path, message)


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_a_file_name_that_leaves_the_storage_is_refused(alpha, folders):
    payload = b"owned"
    parts = {
        "database.sqlite3": {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1},
        "files/../../escape.txt": {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)},
    }
    manifest = {"format": "keiretsu-backup", "format_version": 1, "parts": parts}
    path = folders / "evil.backup"
    with tarfile.open(path, "w") as tar:
        add(tar, "database.sqlite3", b"x")
        add(tar, "files/../../escape.txt", payload)
        add(tar, "manifest.json", json.dumps(manifest).encode())
    _restore_refused(path, "unsafe name")
    assert not list(folders.rglob("escape.txt"))


def test_a_restore_into_a_database_with_data_is_refused(good):
    with pytest.raises(BackupError, match=r"not empty \(\d+ rows of data\).*--force"):
        backup_restore(path=good)


def test_an_archive_of_another_engine_is_refused(good, folders, monkeypatch):
    other = "postgresql" if services.databases.for_alias().engine == "sqlite" else "sqlite"
    real_check = archive.check

    def claims_other_engine(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        checked.manifest["database"]["engine"] = other
        return checked

    monkeypatch.setattr(archive, "check", claims_other_engine)
    _restore_refused(good, f"This backup is of a {other} database")


def test_an_unwritable_destination_fails_loudly_and_keeps_the_previous_backup(good, folders):
    before = good.read_bytes()
    blocked = folders / "not-a-folder"
    blocked.write_text("a file where a folder should be")
    with pytest.raises(BackupError, match="Could not write"):
        backup_create(output=blocked / "new.backup")
    run = BackupRun.objects.order_by("-started_at").first()
    assert run.status == "failed" and "Could not write" in run.message
    assert good.read_bytes() == before


def test_a_full_disk_fails_loudly_leaves_no_partial_file_and_keeps_the_previous_backup(good, folders, monkeypatch):
    before = good.read_bytes()

    def disk_full(self, name, source, size):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive.Writer, "add", disk_full)
    with pytest.raises(BackupError, match="No space left on device"):
        backup_create(output=folders / "new.backup")
    assert sorted(p.name for p in folders.iterdir() if p.is_file() and p.name != ".lock") == ["good.backup"]
    assert good.read_bytes() == before
    assert BackupRun.objects.order_by("-started_at").first().status == "failed"


def test_a_backup_never_overwrites_a_file(good):
    with pytest.raises(BackupError, match="exists already"):
        backup_create(output=good)


# --- Encryption ---------------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK", 64)


def encrypt(data: bytes, key: str) -> bytes:
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, key)
    writer.write(data)
    writer.close()
    return out.getvalue()


def frames(blob: bytes) -> list[bytes]:
    found, at = [], len(crypto.MAGIC)
    while at < len(blob):
        (length,) = struct.unpack(">I", blob[at : at + 4])
        found.append(blob[at : at + 4 + length])
        at += 4 + length
    return found


def decrypt(blob: bytes, key: str) -> bytes:
    return crypto.DecryptingReader(io.BytesIO(blob), key).read()


def test_encryption_round_trips_over_many_chunks(small_chunks):
    key = crypto.new_key()
    data = bytes(range(256)) * 3
    blob = encrypt(data, key)
    assert len(frames(blob)) == 12 and data not in blob  # 768 bytes in chunks of 64
    assert decrypt(blob, key) == data
    # Key rotation: a second key listed after the new one still decrypts old archives.
    assert decrypt(blob, f"{crypto.new_key()},{key}") == data


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda f: f[1:2] + f[0:1] + f[2:], "out of order"),
        (lambda f: f[:-1], "truncated"),
        (lambda f: f[:3] + f[2:], "out of order"),
    ],
)
def test_reordered_repeated_or_missing_chunks_are_detected(small_chunks, tamper, message):
    key = crypto.new_key()
    blob = encrypt(b"k" * 500, key)
    with pytest.raises(crypto.DecryptionError, match=message):
        decrypt(crypto.MAGIC + b"".join(tamper(frames(blob))), key)


def test_the_wrong_key_or_no_key_is_refused():
    blob = encrypt(b"secret", crypto.new_key())
    with pytest.raises(crypto.DecryptionError, match="not its key"):
        decrypt(blob, crypto.new_key())
    with pytest.raises(crypto.DecryptionError, match="set BACKUP_ENCRYPTION_KEY"):
        decrypt(blob, "")


def test_an_encrypted_backup_checks_like_a_plain_one(alpha, evidence, folders, settings):
    settings.BACKUP_ENCRYPTION_KEY = crypto.new_key()
    backup = backup_create(output=folders / "secret.backup")
    assert backup.encrypted and crypto.is_encrypted(backup.path)
    assert b"Alpha Parts" not in backup.path.read_bytes()
    assert archive.check(backup.path, encryption_keys=settings.BACKUP_ENCRYPTION_KEY).files == [evidence]
    with pytest.raises(archive.ArchiveError, match="not its key"):
        archive.check(backup.path, encryption_keys=crypto.new_key())


# --- Retention, the copy away, the schedule ----------------------------------------------


def test_retention_keeps_the_last_days_and_the_first_of_each_recent_month():
    import datetime

    from django.utils import timezone

    names = [f"keiretsu-{day:%Y%m%d}-020000.backup" for day in
             (datetime.date(2026, 6, 1) + datetime.timedelta(days=n) for n in range(0, 200, 3))]  # fmt: skip
    now = timezone.make_aware(datetime.datetime(2026, 12, 17, 12, 0))
    keep = services.backups_to_keep([*names, "notes.txt", ".x.keiretsu-partial"], now, days=7, months=3)
    assert sorted(keep) == [
        "keiretsu-20261002-020000.backup",  # the first of October
        "keiretsu-20261101-020000.backup",  # the first of November
        "keiretsu-20261201-020000.backup",  # the first of December
        "keiretsu-20261213-020000.backup",  # the last 7 days (10 December, 02:00, is 7 days and 10 hours ago)
        "keiretsu-20261216-020000.backup",
    ]


def test_the_copy_away_and_pruning_in_both_places(alpha, folders, settings):
    copy = folders / "offsite"
    settings.BACKUP_COPY_TO = str(copy)
    settings.STORAGES = {
        **settings.STORAGES,
        "backup_copy": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(copy)}},
    }
    settings.BACKUP_KEEP_DAYS, settings.BACKUP_KEEP_MONTHS = 7, 0
    old = "keiretsu-20200101-020000.backup"
    for folder in (Path(settings.BACKUP_DIR), copy):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / old).write_bytes(b"old")
    backup = backup_create(prune=True)
    assert (copy / backup.path.name).read_bytes() == backup.path.read_bytes()
    assert backup.copied_to == f"{copy}/{backup.path.name}"
    assert not (Path(settings.BACKUP_DIR) / old).exists() and not (copy / old).exists()
    assert sorted(backup.pruned) == sorted([old, f"{copy}/{old}"])


def test_a_failed_copy_fails_the_run_but_keeps_the_backup(alpha, folders, settings):
    blocked = folders / "offsite-file"
    blocked.write_text("not a folder")
    settings.BACKUP_COPY_TO = str(blocked)
    settings.STORAGES = {
        **settings.STORAGES,
        "backup_copy": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    with pytest.raises(BackupError, match="is complete, but its copy"):
        backup_create()
    assert BackupRun.objects.get().status == "failed"
    assert len(list(Path(settings.BACKUP_DIR).glob("keiretsu-*.backup"))) == 1


def test_the_scheduled_backup_is_verified_and_runs_once_a_day(alpha, folders):
    result = tasks.scheduled_backup.call(reschedule=False)
    assert Path(result["file"]).exists()
    run = BackupRun.objects.get()
    assert (run.trigger, run.status, run.verified) == ("scheduled", "succeeded", True)
    assert "skipped" in tasks.scheduled_backup.call(reschedule=False)
    assert BackupRun.objects.count() == 1


def test_evidence_files_are_backed_up_and_restored_into_their_own_storage(alpha, evidence, folders):
    """Evidence files live in STORAGES["evidence"], outside the default storage: a backup holds
    them as files/@evidence/<name> and a restore puts them back there (issue 11)."""
    from django.core.files.storage import storages

    from keiretsu.ops.backup import services as backup_services

    private = storages["evidence"]
    name = private.save("1/0123abcd", ContentFile(b"%PDF-1.7 proof"))
    backup = backup_create(output=folders / "evidence.backup")
    checked = archive.check(backup.path)
    assert sorted(checked.files) == sorted([evidence, f"@evidence/{name}"])
    assert checked.manifest["files"] == 2
    private.delete(name)
    default_storage.delete(evidence)
    assert backup_services._restore_files(backup.path) == 2
    with private.open(name, "rb") as restored:
        assert restored.read() == b"%PDF-1.7 proof"
    assert default_storage.exists(evidence) and not default_storage.exists(f"@evidence/{name}")
