from django.core.management.base import BaseCommand

from risk.services import detect_risks


class Command(BaseCommand):
    help = "立即运行研判预警检测（与夜间任务相同）/ Run the risk detection now (the nightly job)."

    def handle(self, *args, **options):
        summary = detect_risks()
        self.stdout.write(
            f"新发现 / raised {summary.raised}，更新 / updated {summary.updated}，"
            f"回落 / subsided {summary.subsided}，未变 / unchanged {summary.unchanged}，"
            f"网格 / cells {summary.cells}"
        )
