"""Encryption of backup archives with Fernet (the `cryptography` package).

Why Fernet: it is authenticated encryption (AES-128-CBC with HMAC-SHA256) from the most widely
used and maintained Python cryptography library, with no parameters to get wrong, and keys
that are one line in an environment file; MultiFernet rotates keys. age would also do, but
its Python binding is far less used than `cryptography`.

Fernet encrypts one message in memory, so an archive (which may hold gigabytes of uploaded
files) is cut into chunks of CHUNK bytes, each its own Fernet token. Each chunk's plaintext
starts with its sequence number and a last-chunk flag, so a reordered, repeated, missing or
truncated chunk is detected, not only a modified one.

    file   = MAGIC, then frames
    frame  = 4-byte big-endian length of the token, then the token
    token  = Fernet(sequence number: 8 bytes, last: 1 byte, data)
"""

import struct

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MAGIC = b"KEIRETSU-BACKUP-FERNET-1\n"
CHUNK = 4 * 1024 * 1024


class DecryptionError(Exception):
    pass


def new_key() -> str:
    return Fernet.generate_key().decode()


def fernet_from(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except ValueError:
        raise ValueError(
            "BACKUP_ENCRYPTION_KEY is not a valid key (32 url-safe base64-encoded bytes; "
            "`keiretsu backup --new-key` makes one)"
        ) from None


def is_encrypted(path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only file object: what is written goes encrypted to `out`. Call close()."""

    def __init__(self, out, keys: str):
        self.out = out
        self.fernet = fernet_from(keys)
        self.buffer = bytearray()
        self.sequence = 0
        self.out.write(MAGIC)

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep at least one byte back for the last chunk
            self._frame(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _frame(self, data, *, last):
        token = self.fernet.encrypt(struct.pack(">QB", self.sequence, last) + data)
        self.out.write(struct.pack(">I", len(token)) + token)
        self.sequence += 1

    def close(self):
        self._frame(bytes(self.buffer), last=True)
        self.buffer.clear()

    def flush(self):
        pass


class DecryptingReader:
    """A read-only file object over an encrypted archive; raises DecryptionError on any damage."""

    def __init__(self, source, keys: str):
        if not keys:
            raise DecryptionError("This backup is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with.")
        self.source = source
        self.fernet = fernet_from(keys)
        if source.read(len(MAGIC)) != MAGIC:
            raise DecryptionError("not an encrypted Keiretsu backup")
        self.buffer = b""
        self.sequence = 0
        self.finished = False

    def _next_chunk(self):
        header = self.source.read(4)
        if len(header) < 4:
            raise DecryptionError("The encrypted backup is truncated (its end is missing).")
        (length,) = struct.unpack(">I", header)
        token = self.source.read(length)
        if len(token) < length:
            raise DecryptionError("The encrypted backup is truncated (its end is missing).")
        try:
            plain = self.fernet.decrypt(token)
        except InvalidToken:
            raise DecryptionError(
                "The backup cannot be decrypted: it is damaged, or BACKUP_ENCRYPTION_KEY is not its key."
            ) from None
        number, last = struct.unpack(">QB", plain[:9])
        if number != self.sequence:
            raise DecryptionError("The encrypted backup is damaged (its parts are out of order).")
        self.sequence += 1
        if last:
            self.finished = True
            if self.source.read(1):
                raise DecryptionError("The encrypted backup is damaged (data after its end).")
        return plain[9:]

    def read(self, size=-1) -> bytes:
        while not self.finished and (size < 0 or len(self.buffer) < size):
            self.buffer += self._next_chunk()
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data
