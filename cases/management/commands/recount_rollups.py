"""Recount the case rollups (cases/rollups) from the cases: repairs any drift, prints what was wrong."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cases.rollups.services import recount_rollups
from cases.rollups.triggers import install


class Command(BaseCommand):
    help = _("按案件重新统计汇总表（仪表盘、县级列表所读），修复偏差")

    def handle(self, *args, **options):
        install()  # the trigger too, should a rebuilt table have lost it
        result = recount_rollups()
        self.stdout.write(
            _(
                "汇总已重算：案件数 %(counts)s 行（%(wrong_counts)s 行有误），每日 %(days)s 行（%(wrong_days)s 行有误），"
                "考核指标 %(measures)s 行（%(wrong_measures)s 行有误），待办事项 %(pending)s 行（%(wrong_pending)s 行有误）"
            )
            % result
        )
