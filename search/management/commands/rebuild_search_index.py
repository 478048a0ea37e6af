"""Rebuild the search index of every case (or of the cases registered since a date), in batches."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.core.models import Case
from search.indexer import index_cases


class Command(BaseCommand):
    help = "重建案件检索索引（分词、全文索引和精确检索键）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="每批案件数（默认 1000）")
        parser.add_argument("--missing", action="store_true", help="只补建尚无索引的案件")

    def handle(self, *args, batch: int, missing: bool, **options):
        if batch < 1:
            self.stderr.write("--batch 须为正整数")
            return
        cases = Case.objects.order_by("pk")
        if missing:
            cases = cases.filter(search_index__isnull=True)
        done, last = 0, 0
        while True:
            ids = list(cases.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with transaction.atomic():
                done += index_cases(ids)
            last = ids[-1]
            self.stdout.write(f"{done} …", ending="\r")
        self.stdout.write(self.style.SUCCESS(f"已索引 {done} 件案件。"))
