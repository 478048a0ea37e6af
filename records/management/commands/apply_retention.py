from django.conf import settings
from django.core.management.base import BaseCommand

from records.retention import run_retention


class Command(BaseCommand):
    help = (
        "执行保存期限规则：归档超过保存年限的已结案案件，删除长期未用且无案件的群众账户。"
        " / Apply the retention rules (archive old closed cases, delete idle citizen accounts with no case)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被处理的案件和账户，不做改动。")

    def handle(self, *args, dry_run=False, **options):
        self.stdout.write(
            f"保存年限 / case years: {settings.RETENTION_CASE_YEARS or '不归档 off'}；"
            f"群众账户 / citizen days: {settings.RETENTION_CITIZEN_DAYS or '不删除 off'}"
        )
        run = run_retention(dry_run=dry_run)
        verb = "将归档 / would archive" if dry_run else "已归档 / archived"
        self.stdout.write(f"{verb}: {run.cases_archived} 件 {', '.join(run.detail['archived'][:20])}")
        verb = "将删除 / would delete" if dry_run else "已删除 / deleted"
        self.stdout.write(f"{verb}: {run.citizens_deleted} 个群众账户 / citizen accounts")
        for failure in run.detail["failed"]:
            self.stderr.write(f"未能归档 / not archived: {failure['case']}: {failure['error']}")
