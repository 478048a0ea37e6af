from django.core.management.base import BaseCommand, CommandError

from records.integrity import verify


class Command(BaseCommand):
    help = (
        "校验案件时间线与安全审计的哈希链，报告每条链第一处断裂（退出码非零表示发现断裂）。"
        " / Verify the hash chains of the case timeline and the security audit."
    )

    def handle(self, *args, **options):
        report = verify()
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("记录完整性校验未通过 / the records failed the integrity check")
        self.stdout.write(self.style.SUCCESS("记录完整性校验通过 / the records are intact"))
