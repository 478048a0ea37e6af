"""Rollup rows: what the dashboard and the county pages count, kept per center instead of read from cases.

- ``CaseCount``: cases per (center, status, warning level, channel) — every status, so "open" is a sum
  over ``OPEN_STATUSES`` and each case sits in exactly one row.
- ``CaseDay``: per (center, local day) the cases registered that day and of those the ones resolved
  (化解率's numerator), the cases concluded that day, of those the successful ones (调解成功率) and the
  money their agreements covered.
- ``RollupDelta``: what changed and is not folded into the two yet. A database trigger on ``cases_case``
  writes one row (+1) for a new case, two (−1 for the old values, +1 for the new) for a change of what the
  rollups count, one (−1) for a deletion — in the changing statement's own transaction, whoever wrote the
  row (a service, the sweep's bulk UPDATE, the data generator's COPY). Inserts only, so two transactions
  touching the same center never wait for each other; readers add the pending deltas to the folded rows,
  so every figure is exact at once; the sweep folds them every minute (``services.fold_rollups``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseCount(models.Model):
    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField()
    channel = models.IntegerField(default=0)  # routing.Channel id, 0 = not routed (a key column, never null)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("案件数汇总")
        constraints = [
            models.UniqueConstraint(fields=["center", "status", "level", "channel"], name="rollup_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.status}/{self.level}/{self.channel}: {self.n}"


class CaseDay(models.Model):
    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    registered = models.IntegerField(default=0)
    registered_resolved = models.IntegerField(default=0)  # of those registered that day, resolved so far
    concluded = models.IntegerField(default=0)
    concluded_success = models.IntegerField(default=0)
    money = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("每日案件汇总")
        constraints = [models.UniqueConstraint(fields=["center", "day"], name="rollup_day_key")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.day}: {self.registered}"


class RollupDelta(models.Model):
    id = models.BigAutoField(primary_key=True)
    center_id = models.IntegerField()  # no foreign key: the trigger's insert checks nothing
    status = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField()
    channel = models.IntegerField()
    created_day = models.DateField()
    concluded_day = models.DateField(null=True)
    success = models.BooleanField()
    money = models.DecimalField(max_digits=18, decimal_places=2)
    sign = models.SmallIntegerField()

    class Meta:
        verbose_name = _("汇总增量")
        indexes = [models.Index(fields=["center_id"], name="rollup_delta_center")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.status}/{self.level}/{self.channel}: {self.sign:+d}"


class MeasureDay(models.Model):
    """Per (center, measure, local day): the rows a period measure counts (its denominator) and of those the
    ones that meet it (its numerator) — 按期办结率 over handling clocks by the day they stopped, 及时签收率
    over summonses by their response deadline, 满意率 over ratings by the day given, 回访满意率 over visits
    by the day made. The center is the case's (a transfer moves the case's rows, see ``measures.py``)."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=24)
    day = models.DateField()
    total = models.IntegerField(default=0)
    hit = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("每日考核指标汇总")
        constraints = [
            models.UniqueConstraint(fields=["center", "measure", "day"], name="rollup_measure_key")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.measure}/{self.day}: {self.hit}/{self.total}"


class MeasureDelta(models.Model):
    """A change of what ``MeasureDay`` counts, not folded yet: written by the triggers of ``measures.py`` in
    the changing statement's transaction (inserts only, as ``RollupDelta``)."""

    id = models.BigAutoField(primary_key=True)
    center_id = models.IntegerField()
    measure = models.CharField(max_length=24)
    day = models.DateField()
    hit = models.BooleanField()
    sign = models.SmallIntegerField()

    class Meta:
        verbose_name = _("考核指标增量")
        indexes = [models.Index(fields=["center_id"], name="rollup_measure_delta_center")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.measure}/{self.day}: {self.sign:+d}"


class PendingItem(models.Model):
    """What the dashboard lists, filed by center: a follow-up visit not made (by its due day), a supervision
    order not reported back and a summons not answered (by their deadline), a level rise (by its time).
    One row per item, kept by the triggers of ``pending.py`` in the changing statement's transaction (an
    item's own row, so two transactions of one center never touch the same row); a case's transfer moves
    its items' center. The lists read the center's first rows by date from the index, never the cases."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=12)
    item_id = models.BigIntegerField()
    case_id = models.BigIntegerField()
    center_id = models.IntegerField()
    at = models.DateTimeField(null=True)  # orders' and summonses' deadline, a level rise's time
    day = models.DateField(null=True)  # a visit's due day

    class Meta:
        verbose_name = _("待办事项索引")
        constraints = [models.UniqueConstraint(fields=["kind", "item_id"], name="pending_item_once")]
        indexes = [
            models.Index(fields=["kind", "center_id", "at", "item_id"], name="pending_item_at"),
            models.Index(fields=["kind", "center_id", "day", "item_id"], name="pending_item_day"),
            models.Index(fields=["case_id"], name="pending_item_case"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} @ {self.center_id}"
