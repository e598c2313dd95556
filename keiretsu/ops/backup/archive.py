"""The backup archive: a tar file holding the database dump, the uploaded files and a manifest.

    database.pgdump | database.sqlite3     the database (see databases.py)
    files/<name>                           every file of Django's default storage
    manifest.json                          last: time, versions, migrations, row counts per
                                           table, SHA-256 and size of every part

The manifest comes last so that it can hold every part's checksum while the parts stream in;
an archive cut short therefore has none and is refused. Optionally the whole tar is encrypted
(crypto.py). Reading checks every checksum before anything is written anywhere.
"""

import contextlib
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import crypto

FORMAT = "keiretsu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_PARTS = ("database.pgdump", "database.sqlite3")
FILES_PREFIX = "files/"
_READ = 1024 * 1024


class ArchiveError(Exception):
    """The archive is damaged, truncated, foreign or undecryptable: nothing was written."""


class _Hashing:
    """Reads from `source` while hashing what it reads."""

    def __init__(self, source):
        self.source = source
        self.sha = hashlib.sha256()

    def read(self, size=-1):
        data = self.source.read(size)
        self.sha.update(data)
        return data


class Writer:
    """Writes an archive part by part; finish() adds the manifest."""

    def __init__(self, out, *, encryption_keys=""):
        self.encrypting = crypto.EncryptingWriter(out, encryption_keys) if encryption_keys else None
        self.tar = tarfile.open(fileobj=self.encrypting or out, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.parts = {}

    def add(self, name: str, source, size: int):
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        hashing = _Hashing(source)
        self.tar.addfile(info, hashing)
        self.parts[name] = {"sha256": hashing.sha.hexdigest(), "size": size}

    def add_path(self, name: str, path: Path):
        with open(path, "rb") as source:
            self.add(name, source, path.stat().st_size)

    def finish(self, manifest: dict):
        data = json.dumps({**manifest, "parts": self.parts}, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()
        if self.encrypting:
            self.encrypting.close()


@dataclass
class Checked:
    manifest: dict
    database_part: str
    files: list = field(default_factory=list)  # storage names, in archive order


def _open(path: Path, encryption_keys: str):
    source = open(path, "rb")  # noqa: SIM115 (the caller closes it)
    try:
        if crypto.is_encrypted(path):
            return source, crypto.DecryptingReader(source, encryption_keys)
        return source, source
    except crypto.DecryptionError as exc:
        source.close()
        raise ArchiveError(str(exc)) from None


def storage_name(member_name: str) -> str:
    """files/<name> -> <name>, refusing anything that could leave the storage's root."""
    name = member_name.removeprefix(FILES_PREFIX)
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ArchiveError(f"The archive holds a file with an unsafe name ({member_name!r}).")
    return name


def members(path: Path, encryption_keys: str = ""):
    """Yield (name, file object) for each part, in order; errors become ArchiveError."""
    source, reader = _open(path, encryption_keys)
    try:
        with read_errors(), tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    raise ArchiveError(f"Not a Keiretsu backup: unexpected entry {member.name!r}.")
                yield member.name, tar.extractfile(member)
    finally:
        source.close()


@contextlib.contextmanager
def read_errors():
    """What tarfile and the decryption raise, as ArchiveError with a message for a person."""
    try:
        yield
    except tarfile.ReadError as exc:
        if "unexpected end of data" in str(exc):
            raise ArchiveError("The backup is truncated: it ends before its last part.") from None
        raise ArchiveError("Not a Keiretsu backup (not an archive, or damaged beyond reading).") from None
    except (EOFError, tarfile.StreamError):
        raise ArchiveError("The backup is truncated: it ends before its last part.") from None
    except crypto.DecryptionError as exc:
        raise ArchiveError(str(exc)) from None


def check(path: Path, *, encryption_keys: str = "", extract_database_to: Path | None = None) -> Checked:
    """Read the whole archive and check every part against the manifest; write nothing but
    (optionally) the database part to a scratch file. Raises ArchiveError."""
    if not Path(path).is_file():
        raise ArchiveError(f"No such backup file: {path}")
    with read_errors():
        return _check(path, encryption_keys, extract_database_to)


def _check(path, encryption_keys, extract_database_to) -> Checked:
    seen, manifest, files, database_part = {}, None, [], None
    for name, fileobj in members(path, encryption_keys):
        if manifest is not None:
            raise ArchiveError("Not a Keiretsu backup: parts follow its manifest.")
        if name in seen:
            raise ArchiveError(f"Not a Keiretsu backup: the part {name!r} appears twice.")
        if name == MANIFEST:
            try:
                manifest = json.loads(fileobj.read())
            except ValueError:
                raise ArchiveError("The backup's manifest is damaged.") from None
            continue
        if name in DATABASE_PARTS:
            database_part = name
        elif name.startswith(FILES_PREFIX):
            files.append(storage_name(name))
        else:
            raise ArchiveError(f"Not a Keiretsu backup: unexpected part {name!r}.")
        sha, size = hashlib.sha256(), 0
        out = open(extract_database_to, "wb") if extract_database_to and name in DATABASE_PARTS else None  # noqa: SIM115
        try:
            while chunk := fileobj.read(_READ):
                sha.update(chunk)
                size += len(chunk)
                if out:
                    out.write(chunk)
        finally:
            if out:
                out.close()
        seen[name] = {"sha256": sha.hexdigest(), "size": size}
    if manifest is None:
        raise ArchiveError("The backup is incomplete: it has no manifest (was it cut short?).")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("Not a Keiretsu backup (its manifest is of another kind).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"This backup's format (version {manifest.get('format_version')}) is not known here.")
    listed = manifest.get("parts") or {}
    if set(listed) != set(seen):
        missing = sorted(set(listed) - set(seen))
        extra = sorted(set(seen) - set(listed))
        raise ArchiveError(
            f"The backup's parts do not match its manifest (missing: {missing[:5]}, extra: {extra[:5]})."
        )
    for name, found in seen.items():
        if listed[name] != found:
            raise ArchiveError(f"Checksum mismatch: {name!r} is damaged.")
    if database_part is None:
        raise ArchiveError("The backup holds no database.")
    return Checked(manifest=manifest, database_part=database_part, files=files)
