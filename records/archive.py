"""Backup and restore of one installation: its database and its private evidence files, with a manifest.

An archive is a tar stream (Fernet-encrypted when BACKUP_ENCRYPTION_KEY is set, see ``encryption``) of
``db.sqlite3`` (SQLite's online backup API) or ``db.dump`` (``pg_dump -Fc``), ``files/…`` (everything under
PRIVATE_MEDIA_ROOT) and ``manifest.json``: the row count of every table and the SHA-256 of every member,
the code's version and the applied migrations.

Consistency: the row counts are taken inside the very snapshot that is dumped (the SQLite copy; on PostgreSQL
an exported snapshot that ``pg_dump --snapshot`` reuses). The database is copied before the files, and
evidence is written to disk before its row is committed and never changed afterwards, so every file a
dumped row names is in the archive (a file uploaded meanwhile may be there without its row: harmless).

A restore extracts into a scratch folder, checks every hash before it touches the target, loads the
database, moves the files in, and then counts every table and hashes every file in the target again:
only when all of it matches the manifest does it report success.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from records.encryption import DecryptingReader, EncryptingWriter, EncryptionError, is_encrypted

FORMAT = 1
PREFIX = "mediation-"
HASH_BLOCK = 1024 * 1024


class ArchiveError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese and English."""


@dataclass(frozen=True)
class Target:
    """Where a restore goes (or a backup comes from): the database's vendor and connection settings."""

    vendor: str  # "sqlite" or "postgresql"
    settings_dict: dict

    @classmethod
    def from_settings(cls, settings_dict: dict) -> Target:
        engine = settings_dict["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", settings_dict)
        if engine.endswith("postgresql"):
            return cls("postgresql", settings_dict)
        raise ArchiveError(f"不支持的数据库 / unsupported database engine: {engine}")

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        return cls.from_settings(dj_database_url.parse(url))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.settings_dict["NAME"])

    def pg_env(self) -> dict:
        s = self.settings_dict
        env = {**os.environ, "PGDATABASE": str(s["NAME"])}
        for key, var in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("PASSWORD", "PGPASSWORD"),
        ):
            if s.get(key):
                env[var] = str(s[key])
        return env

    def pg_connect(self):
        import psycopg2

        s = self.settings_dict
        params = {"dbname": s["NAME"], "user": s.get("USER") or None, "password": s.get("PASSWORD") or None}
        params |= {"host": s.get("HOST") or None, "port": s.get("PORT") or None}
        return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})


# --- reading a database's tables -----------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r[0] for r in rows)


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(r[0] for r in cursor.fetchall())


def _counts(execute, tables: list[str]) -> dict[str, int]:
    return {t: execute(f"SELECT COUNT(*) FROM {_quote(t)}") for t in tables}


def _migrations(execute_all, tables: list[str]) -> list[str]:
    if "django_migrations" not in tables:
        return []
    return sorted(f"{app}.{name}" for app, name in execute_all("SELECT app, name FROM django_migrations"))


def target_tables(target: Target) -> list[str]:
    if target.vendor == "sqlite":
        if not target.sqlite_path.exists():
            return []
        conn = sqlite3.connect(target.sqlite_path)
        try:
            return _sqlite_tables(conn)
        finally:
            conn.close()
    conn = target.pg_connect()
    try:
        with conn.cursor() as cursor:
            return _pg_tables(cursor)
    finally:
        conn.close()


def target_counts(target: Target, tables: list[str]) -> dict[str, int]:
    if target.vendor == "sqlite":
        conn = sqlite3.connect(target.sqlite_path)
        try:
            return _counts(lambda sql: conn.execute(sql).fetchone()[0], tables)
        finally:
            conn.close()
    conn = target.pg_connect()
    try:
        with conn.cursor() as cursor:

            def one(sql):
                cursor.execute(sql)
                return cursor.fetchone()[0]

            return _counts(one, tables)
    finally:
        conn.close()


# --- files -------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile while hashing it, so each file is read once."""

    def __init__(self, f):
        self._f = f
        self.digest = hashlib.sha256()

    def read(self, n=-1):
        data = self._f.read(n)
        self.digest.update(data)
        return data


def _walk_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "unknown"


# --- backup ------------------------------------------------------------------------------------


def _snapshot_sqlite(workdir: Path) -> tuple[Path, dict, list[str]]:
    """Copy the live database with SQLite's online backup API (also for the in-memory test database)."""
    path = workdir / "db.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        tables = _sqlite_tables(copy)
        counts = _counts(lambda sql: copy.execute(sql).fetchone()[0], tables)
        migrations = _migrations(lambda sql: copy.execute(sql).fetchall(), tables)
    finally:
        copy.close()
    return path, counts, migrations


def _snapshot_postgresql(workdir: Path) -> tuple[Path, dict, list[str]]:
    """pg_dump -Fc of an exported snapshot, counted in that same snapshot."""
    source = Target.from_settings(connection.settings_dict)
    path = workdir / "db.dump"
    conn = source.pg_connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _pg_tables(cursor)

            def one(sql):
                cursor.execute(sql)
                return cursor.fetchone()[0]

            def all_rows(sql):
                cursor.execute(sql)
                return cursor.fetchall()

            counts = _counts(one, tables)
            migrations = _migrations(all_rows, tables)
            dump = subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(path),
                ],
                env=source.pg_env(),
                capture_output=True,
                text=True,
            )
            if dump.returncode != 0:
                raise ArchiveError(f"pg_dump 失败 / pg_dump failed: {dump.stderr.strip()}")
        conn.rollback()
    finally:
        conn.close()
    return path, counts, migrations


def archive_name(now: datetime | None = None, *, encrypted: bool) -> str:
    now = now or timezone.now()
    return f"{PREFIX}{now:%Y%m%dT%H%M%SZ}.tar" + (".enc" if encrypted else "")


def create_backup(dest_dir: Path, *, key: str = "", now: datetime | None = None) -> tuple[Path, dict]:
    """Write one archive into ``dest_dir``; returns its path and manifest. Encrypted when ``key`` is given."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    final = dest_dir / archive_name(now, encrypted=bool(key))
    partial = final.with_name(final.name + ".partial")
    if connection.in_atomic_block:
        # The snapshot must see committed data only (PostgreSQL dumps from its own connection), and
        # SQLite's backup API waits for ever on a source connection that holds a write transaction.
        raise ArchiveError("备份不能在事务中进行 / a backup cannot run inside a transaction")
    vendor = Target.from_settings(connection.settings_dict).vendor
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=dest_dir, prefix=".backup-") as scratch:
        snapshot = _snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql
        db_path, counts, migrations = snapshot(Path(scratch))
        try:
            manifest = _write_archive(
                partial,
                db_path,
                media_root,
                key=key,
                now=now,
                vendor=vendor,
                counts=counts,
                migrations=migrations,
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, final)
    return final, manifest


def _write_archive(
    partial: Path,
    db_path: Path,
    media_root: Path,
    *,
    key: str,
    now: datetime,
    vendor: str,
    counts,
    migrations,
) -> dict:
    hashes: dict[str, str] = {}
    with open(partial, "wb") as raw:
        out = EncryptingWriter(raw, key) if key else raw
        with tarfile.open(fileobj=out, mode="w|") as tar:
            _add(tar, db_path, db_path.name, hashes)
            for path in _walk_files(media_root):
                _add(tar, path, "files/" + path.relative_to(media_root).as_posix(), hashes)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "code_version": code_version(),
                "database": {"vendor": vendor, "member": db_path.name, "tables": counts},
                "database_sha256": hashes[db_path.name],
                "migrations": migrations,
                "files": {name: digest for name, digest in hashes.items() if name.startswith("files/")},
                "encrypted": bool(key),
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
        if key:
            out.close()  # writes the last chunk
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _add(tar: tarfile.TarFile, path: Path, name: str, hashes: dict) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    hashes[name] = reader.digest.hexdigest()


# --- restore -----------------------------------------------------------------------------------

CORRUPT = "备份文件已损坏或不完整 / the archive is damaged or incomplete"


def read_archive(archive: Path, scratch: Path, *, key: str = "") -> dict:
    """Extract ``archive`` into ``scratch`` and check every member against the manifest; returns it."""
    archive = Path(archive)
    if not archive.is_file():
        raise ArchiveError(f"找不到备份文件 / archive not found: {archive}")
    encrypted = is_encrypted(archive)
    if encrypted and not key:
        raise ArchiveError(
            "备份已加密，请设置 BACKUP_ENCRYPTION_KEY / the archive is encrypted: set BACKUP_ENCRYPTION_KEY"
        )
    try:
        with open(archive, "rb") as raw:
            source = DecryptingReader(raw, key) if encrypted else raw
            with tarfile.open(fileobj=source, mode="r|") as tar:
                tar.extractall(scratch, filter="data")
    except EncryptionError as exc:
        raise ArchiveError(f"{CORRUPT}: {exc}") from exc
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"{CORRUPT}: {exc}") from exc
    try:
        manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"{CORRUPT}: manifest.json 缺失或无法读取 / missing or unreadable") from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"不认识的备份格式 / unknown archive format: {manifest.get('format')!r}")
    expected = dict(manifest["files"]) | {manifest["database"]["member"]: manifest["database_sha256"]}
    present = {p.relative_to(scratch).as_posix() for p in _walk_files(scratch)} - {"manifest.json"}
    if missing := sorted(set(expected) - present):
        raise ArchiveError(
            f"{CORRUPT}: 缺少 / missing {missing[0]}"
            + (f" (+{len(missing) - 1})" if len(missing) > 1 else "")
        )
    if extra := sorted(present - set(expected)):
        raise ArchiveError(f"{CORRUPT}: 清单之外的文件 / not in the manifest: {extra[0]}")
    for name, digest in sorted(expected.items()):
        if sha256_of(scratch / name) != digest:
            raise ArchiveError(f"{CORRUPT}: SHA-256 不符 / hash mismatch: {name}")
    return manifest


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    manifest: dict


def restore_backup(
    archive: Path, *, target: Target, media_root: Path, force: bool = False, key: str = ""
) -> RestoreReport:
    """Restore ``archive`` into an empty database and data folder (or over them with ``force``), then verify."""
    media_root = Path(media_root)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as tmp:
        scratch = Path(tmp)
        manifest = read_archive(archive, scratch, key=key)
        vendor = manifest["database"]["vendor"]
        if vendor != target.vendor:
            raise ArchiveError(
                f"备份来自 {vendor}，目标是 {target.vendor} / the archive holds a {vendor} database, "
                f"the target is {target.vendor}"
            )
        existing = target_tables(target)
        if existing and not force:
            raise ArchiveError(
                f"目标数据库不是空的（{len(existing)} 张表），加 --force 才会覆盖 / "
                f"the target database is not empty ({len(existing)} tables): use --force to overwrite"
            )
        if _walk_files(media_root) and not force:
            raise ArchiveError(
                f"目标数据文件夹不是空的：{media_root}，加 --force 才会覆盖 / "
                f"the target data folder is not empty: use --force to overwrite"
            )
        connections.close_all()  # the target may be this process's own database
        if target.vendor == "sqlite":
            _load_sqlite(scratch / manifest["database"]["member"], target.sqlite_path)
        else:
            _load_postgresql(scratch / manifest["database"]["member"], target, clean=bool(existing))
        if media_root.exists():
            shutil.rmtree(media_root)
        files_dir = scratch / "files"
        if files_dir.exists():
            os.replace(files_dir, media_root)
        else:
            media_root.mkdir()
    return verify_restored(manifest, target=target, media_root=media_root)


def _load_sqlite(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(dest)
    try:
        src.backup(dst)  # replaces every page of dest: what was there is gone
    finally:
        src.close()
        dst.close()


def _load_postgresql(dump: Path, target: Target, *, clean: bool) -> None:
    if clean:
        conn = target.pg_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            conn.commit()
        finally:
            conn.close()
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    done = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-j",
            jobs,
            "-d",
            target.settings_dict["NAME"],
            str(dump),
        ],
        env=target.pg_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise ArchiveError(f"pg_restore 失败 / pg_restore failed: {done.stderr.strip()}")


def verify_restored(manifest: dict, *, target: Target, media_root: Path) -> RestoreReport:
    """Count every table and hash every file of the restored target against the manifest."""
    expected = manifest["database"]["tables"]
    tables = target_tables(target)
    if missing := sorted(set(expected) - set(tables)):
        raise ArchiveError(f"恢复后缺少表 / table missing after restore: {missing[0]}")
    counts = target_counts(target, sorted(expected))
    for table, count in sorted(expected.items()):
        if counts[table] != count:
            raise ArchiveError(
                f"恢复后行数不符 / row count differs after restore: {table} {counts[table]} ≠ {count}"
            )
    files = {"files/" + p.relative_to(media_root).as_posix(): p for p in _walk_files(media_root)}
    if set(files) != set(manifest["files"]):
        raise ArchiveError("恢复后的文件与清单不符 / restored files differ from the manifest")
    for name, path in files.items():
        if sha256_of(path) != manifest["files"][name]:
            raise ArchiveError(f"恢复后 SHA-256 不符 / hash mismatch after restore: {name}")
    return RestoreReport(len(expected), sum(expected.values()), len(files), manifest)
