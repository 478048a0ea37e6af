from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count, Q
from django.utils.module_loading import import_string

from accounts.demo import build_demo_org
from accounts.models import Center, Department, Membership, User
from cases.core.models import Case, Status
from cases.lifecycle.models import FollowUpVisit


class Command(BaseCommand):
    help = "载入演示数据（仅当数据库中还没有任何中心时）/ Load demo data into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="即使已有数据也补齐演示数据（幂等）。")

    def handle(self, *args, force=False, **options):
        if Center.objects.exists() and not force:
            self.stdout.write("数据库已有数据，跳过演示数据。/ Database not empty; demo data skipped.")
        else:
            org = build_demo_org()  # idempotent: --force adds logins missing from an older demo database
            if Case.objects.exists():  # cases are registered, not upserted: never twice
                self.stdout.write("演示账号已补齐；已有案件，未再登记。/ Demo logins completed; cases kept.")
            else:
                from cases.demo import build_demo_cases

                build_demo_cases(org)
                # Each further app's demo, in order: a dotted path to a function of the demo org.
                for dotted in settings.DEMO_BUILDERS:
                    import_string(dotted)(org)
                self.stdout.write(self.style.SUCCESS("演示数据已载入。/ Demo data loaded."))
        self.stdout.write("数据库现有 / The database holds:")
        for line in summary_lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "演示账号、密码和 API 令牌：manage.py demo_logins / Demo logins and API token: demo_logins"
        )


def summary_lines() -> list[str]:
    """What the database holds, counted there (so the summary stays true whatever was loaded before)."""
    levels = dict(Center.objects.values_list("level").annotate(n=Count("pk")))
    roles = dict(Membership.objects.values_list("role").annotate(n=Count("pk")))
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("pk")))
    by_level = dict(Case.objects.values_list("center__level").annotate(n=Count("pk")))
    pending = Q(visited_at__isnull=True)
    visits = FollowUpVisit.objects.aggregate(
        done=Count("pk", filter=~pending), due=Count("pk", filter=pending)
    )
    return [
        "中心 / centers: "
        + "，".join(f"{label} {levels.get(value, 0)}" for value, label in Center.Level.choices),
        f"部门 / departments: {Department.objects.count()}",
        f"工作人员 / staff: {User.objects.filter(kind=User.Kind.STAFF).count()}；岗位 / posts: "
        + "，".join(f"{label} {roles.get(value, 0)}" for value, label in Membership.Role.choices),
        f"群众 / citizens: {User.objects.filter(kind=User.Kind.CITIZEN).count()}",
        f"案件 / cases: {sum(statuses.values())}（"
        + "，".join(f"{label} {by_level.get(value, 0)}" for value, label in Center.Level.choices)
        + "）",
        "  按状态 / by status: "
        + "，".join(f"{label} {statuses[value]}" for value, label in Status.choices if statuses.get(value)),
        f"回访 / follow-up visits: 已回访 {visits['done']}，待回访 {visits['due']}",
    ]
