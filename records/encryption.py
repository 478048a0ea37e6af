"""Streaming encryption of backup archives with Fernet (``cryptography``), in authenticated chunks.

Fernet encrypts one message in memory, and an archive of the full database is gigabytes, so the stream is
cut into chunks of ``CHUNK`` bytes, each its own Fernet token. Each chunk's plaintext starts with its index
and a "last chunk" flag, so chunks cannot be reordered, dropped or cut off at the end without the reader
noticing. The key comes from the environment (BACKUP_ENCRYPTION_KEY, made with ``Fernet.generate_key()``).
"""

from __future__ import annotations

import io
import struct

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"MCBACKUP-FERNET-1\n"
CHUNK = 8 * 1024 * 1024
_HEADER = struct.Struct(">QB")  # chunk index, last-chunk flag
_LENGTH = struct.Struct(">I")


class EncryptionError(Exception):
    pass


def fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise EncryptionError(
            "BACKUP_ENCRYPTION_KEY 不是有效的 Fernet 密钥 / is not a valid Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from exc


def is_encrypted(path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


class EncryptingWriter(io.RawIOBase):
    """A write-only file object: what is written lands in ``raw`` as encrypted chunks; close() ends the stream."""

    def __init__(self, raw, key: str):
        self._raw = raw
        self._fernet = fernet(key)
        self._buffer = bytearray()
        self._index = 0
        self._raw.write(MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, data: bytes, *, last: bool) -> None:
        token = self._fernet.encrypt(_HEADER.pack(self._index, int(last)) + data)
        self._raw.write(_LENGTH.pack(len(token)) + token)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._raw.flush()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file object over an encrypted archive; a wrong key or damaged chunk raises EncryptionError."""

    def __init__(self, raw, key: str):
        self._raw = raw
        self._fernet = fernet(key)
        if raw.read(len(MAGIC)) != MAGIC:
            raise EncryptionError("不是加密的备份文件 / not an encrypted backup archive")
        self._plain = memoryview(b"")
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        length = self._raw.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            raise EncryptionError("加密备份不完整（文件被截断）/ encrypted archive is truncated")
        token = self._raw.read(_LENGTH.unpack(length)[0])
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise EncryptionError(
                "无法解密：密钥不对或备份已损坏 / cannot decrypt: wrong key or damaged archive"
            ) from exc
        index, last = _HEADER.unpack_from(plain)
        if index != self._index:
            raise EncryptionError("加密备份的分块顺序不对 / encrypted archive's chunks are out of order")
        self._index += 1
        self._done = bool(last)
        self._plain = memoryview(plain)[_HEADER.size :]

    def readinto(self, buffer) -> int:
        while not self._plain and not self._done:
            self._next_chunk()
        n = min(len(buffer), len(self._plain))
        buffer[:n] = self._plain[:n]
        self._plain = self._plain[n:]  # a view: no copy of the rest of the chunk
        return n
