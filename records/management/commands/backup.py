from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records.archive import ArchiveError, create_backup
from records.encryption import EncryptionError


class Command(BaseCommand):
    help = "备份数据库、证据文件和清单 / Back up the database, the evidence files and a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dest", help="备份目录（默认 BACKUP_DIR 或 DATA_DIR/backups）/ folder for the archive"
        )
        parser.add_argument(
            "--no-encrypt", action="store_true", help="即使设置了密钥也不加密 / ignore the key"
        )

    def handle(self, *args, dest=None, no_encrypt=False, **options):
        folder = Path(dest or settings.BACKUP_DIR or settings.DATA_DIR / "backups")
        key = "" if no_encrypt else settings.BACKUP_ENCRYPTION_KEY
        try:
            path, manifest = create_backup(folder, key=key)
        except (ArchiveError, EncryptionError) as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        self.stdout.write(
            self.style.SUCCESS(f"备份完成 / backup written: {path}")
            + f"\n  {len(tables)} tables, {sum(tables.values())} rows, {len(manifest['files'])} files, "
            + f"{path.stat().st_size} bytes, {'encrypted' if manifest['encrypted'] else 'not encrypted'}, "
            + f"code {manifest['code_version']}"
        )
