from django.core.management.base import BaseCommand

from accounts.demo import CITIZEN, DEMO_PASSWORD, USERS, build_demo_org
from accounts.models import Center


class Command(BaseCommand):
    help = "载入演示数据（仅当数据库中还没有任何中心时）/ Load demo data into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="即使已有数据也补齐演示数据（幂等）。")

    def handle(self, *args, force=False, **options):
        if Center.objects.exists() and not force:
            self.stdout.write("数据库已有数据，跳过演示数据。/ Database not empty; demo data skipped.")
            org = None
        else:
            org = build_demo_org()
            from cases.demo import build_demo_cases

            count = build_demo_cases(org)
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{count} 个案件。/ Demo data loaded."))
        self.stdout.write("演示账号 / Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, display, role, *_ in USERS:
            self.stdout.write(f"  {username:<16} {display}  ({role})")
        self.stdout.write(
            f"  群众 / citizen: 手机号 {CITIZEN[2]}（短信验证码打印在控制台 / code printed to console）"
        )
        if org:
            self.stdout.write(f"  12345 API token: {org['api_token']}")
