"""Back up a populated instance, restore it into a second database and data folder, compare everything.

The instance is the demo (cases at every stage, worked through the real services, so timelines, sessions,
agreements and follow-ups exist) plus uploaded evidence and a generated PDF (the case's receipt) kept as
evidence. On SQLite the second database is another file; on PostgreSQL the database med_backup_restore…
named after the test database. Rows are read back with plain driver connections on both sides, so both
sides are decoded alike.
"""

import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.demo import build_demo_org
from cases.core.models import Attachment, Case, Party
from cases.demo import build_demo_cases
from cases.documents.receipt import receipt_pdf
from cases.intake.services import add_attachments
from records.archive import ArchiveError, Target, restore_backup
from records.encryption import EncryptingWriter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.MEDIA_ROOT = root
    return root


def _second_target(tmp_path) -> Target:
    source = Target.from_settings(connection.settings_dict)
    if source.vendor == "sqlite":
        return Target("sqlite", {**source.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")})
    name = f"{source.settings_dict['NAME']}_restore"
    admin = source.pg_connect()
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return Target("postgresql", {**source.settings_dict, "NAME": name})


def _rows(target: Target, table: str) -> list:
    sql = f'SELECT * FROM "{table}"'
    if target.vendor == "sqlite":
        conn = sqlite3.connect(target.sqlite_path)
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
    else:
        conn = target.pg_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                rows = cursor.fetchall()
        finally:
            conn.close()
    return sorted(rows, key=repr)


def _populate(media: Path) -> None:
    build_demo_cases(build_demo_org())
    case = Case.objects.order_by("pk").first()
    pdf = receipt_pdf(case)
    assert pdf.startswith(b"%PDF")
    add_attachments(
        case,
        actor=None,
        files=[
            SimpleUploadedFile("回执.pdf", pdf, content_type="application/pdf"),
            SimpleUploadedFile(
                "现场照片.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 40, content_type="image/jpeg"
            ),
        ],
    )


def _backup(tmp_path) -> Path:
    out = StringIO()
    call_command("backup", dest=str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("mediation-*.tar")
    assert "tables" in out.getvalue()
    return archive


def test_backup_restores_every_row_and_file_into_a_second_instance(media, tmp_path):
    _populate(media)
    assert Attachment.objects.count() >= 2 and Case.objects.values("status").distinct().count() >= 5
    archive = _backup(tmp_path)
    source = Target.from_settings(connection.settings_dict)
    target = _second_target(tmp_path)
    restored_media = tmp_path / "restored-private"

    restore_backup(archive, target=target, media_root=restored_media)

    connection.close()
    from records.archive import target_tables

    tables = target_tables(source)
    assert "cases_case" in tables and "cases_timelineevent" in tables
    assert target_tables(target) == tables
    for table in tables:
        assert _rows(target, table) == _rows(source, table), table
    original = {p.relative_to(media): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    copied = {p.relative_to(restored_media): p.read_bytes() for p in restored_media.rglob("*") if p.is_file()}
    assert copied == original and len(original) >= 2
    assert any(body.startswith(b"%PDF") for body in copied.values())

    # A second restore onto the now full target is refused, unless forced.
    with pytest.raises(ArchiveError, match="not empty"):
        restore_backup(archive, target=target, media_root=tmp_path / "elsewhere")
    report = restore_backup(archive, target=target, media_root=restored_media, force=True)
    assert report.rows == sum(report.manifest["database"]["tables"].values()) > 1000


def test_a_damaged_archive_fails_with_a_clear_message_and_leaves_the_target_untouched(media, tmp_path):
    add_attachments(
        _one_case(),
        actor=None,
        files=[SimpleUploadedFile("证据.txt", b"evidence " * 1000, content_type="text/plain")],
    )
    archive = _backup(tmp_path)
    data = bytearray(archive.read_bytes())
    evidence_at = data.index(b"evidence evidence")
    data[evidence_at + 100] ^= 0xFF  # one flipped byte inside the evidence file
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    target = _second_target(tmp_path)

    with pytest.raises(CommandError, match="hash mismatch: files/evidence/"):
        call_command(
            "restore",
            str(damaged),
            database_url=_url(target),
            media_root=str(tmp_path / "r"),
            stdout=StringIO(),
        )
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command(
            "restore",
            str(truncated),
            database_url=_url(target),
            media_root=str(tmp_path / "r"),
            stdout=StringIO(),
        )
    from records.archive import target_tables

    assert target_tables(target) == []
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_an_encrypted_archive_restores_only_with_its_key(media, tmp_path, settings):
    from cryptography.fernet import Fernet

    _one_case()
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    call_command("backup", dest=str(tmp_path / "b"), stdout=StringIO())
    (archive,) = (tmp_path / "b").glob("mediation-*.tar.enc")
    assert b"cases_case" not in archive.read_bytes()
    target = _second_target(tmp_path)
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(ArchiveError, match="wrong key or damaged"):
        restore_backup(archive, target=target, media_root=tmp_path / "r", key=settings.BACKUP_ENCRYPTION_KEY)
    with pytest.raises(ArchiveError, match="set BACKUP_ENCRYPTION_KEY"):
        restore_backup(archive, target=target, media_root=tmp_path / "r")
    # A stream cut after a whole chunk is caught too (the last-chunk flag is missing).
    cut = tmp_path / "cut.enc"
    with open(cut, "wb") as raw:
        writer = EncryptingWriter(raw, Fernet.generate_key().decode())
        writer.write(b"x")
    with pytest.raises(ArchiveError):
        restore_backup(cut, target=target, media_root=tmp_path / "r", key="A" * 43 + "=")


def _one_case() -> Case:
    org = build_demo_org()
    from cases.core.models import DisputeType
    from cases.intake.services import CaseData, PartyData, register_case

    return register_case(
        center=org["centers"]["county"],
        actor=org["users"]["clerk"],
        data=CaseData(
            dispute_type=DisputeType.objects.order_by("pk").first(),
            summary="备份测试",
            parties=[PartyData(name="张三", role=Party.Role.APPLICANT, phone="13800000000")],
        ),
    )


def _url(target: Target) -> str:
    if target.vendor == "sqlite":
        return f"sqlite:///{target.sqlite_path}"
    s = target.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
