from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from records.archive import ArchiveError, Target, restore_backup


class Command(BaseCommand):
    help = (
        "从备份恢复到空数据库和空数据文件夹，并按清单核对 / Restore an archive into an empty database and "
        "data folder, verifying the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和文件夹 / overwrite")
        parser.add_argument("--database-url", help="恢复到另一个数据库 / restore into this database instead")
        parser.add_argument("--media-root", help="恢复到另一个证据文件夹 / restore the files here instead")

    def handle(self, *args, archive, force=False, database_url=None, media_root=None, **options):
        try:
            target = (
                Target.from_url(database_url)
                if database_url
                else Target.from_settings(connection.settings_dict)
            )
            report = restore_backup(
                Path(archive),
                target=target,
                media_root=Path(media_root or settings.PRIVATE_MEDIA_ROOT),
                force=force,
                key=settings.BACKUP_ENCRYPTION_KEY,
            )
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS("恢复完成，已按清单核对 / restored and verified against the manifest")
            + f"\n  {report.tables} tables, {report.rows} rows, {report.files} files; "
            + f"backup of {report.manifest['created_at']}, code {report.manifest['code_version']}"
        )
