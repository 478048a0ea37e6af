"""The search index of cases: one row of segmented words per case, and the exact keys that find a case.

``CaseIndex.head`` holds the words that name the case (parties, respondents, dispute type, summary), ``body``
the words of its claims, session records, agreement terms and closing notes: both are space-joined jieba words
(search/segment.py). Each backend indexes them its own way, created by the migration: on PostgreSQL a stored
``document`` tsvector column (``'simple'`` config, head weighted A, body B) with a GIN index; on SQLite an FTS5
table ``search_casefts`` kept in step by triggers. ``excerpt`` is the plain text the result snippets are cut from.

``county_id`` (the root center of the case's center: a case only ever moves to its center's parent or children,
so it never changes) and ``created_at`` (the case's registration time) carry the scope and the order of the
bounded reads: a word search reads the newest matching cases of the user's counties through
the GIN index over the county and the words (or ``search_index_county_newest``), never the whole province's matches.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseIndex(models.Model):
    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="search_index"
    )
    head = models.TextField(_("主要词语"), blank=True)
    body = models.TextField(_("其他词语"), blank=True)
    excerpt = models.TextField(_("摘录"), blank=True)
    respondents = models.CharField(_("被申请人"), max_length=400, blank=True)
    county_id = models.IntegerField(_("所属县级中心"), null=True)
    created_at = models.DateTimeField(_("登记时间"), null=True)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("案件检索索引")
        verbose_name_plural = _("案件检索索引")
        indexes = [
            models.Index(fields=["county_id", "-created_at", "-case"], name="search_index_county_newest")
        ]

    def __str__(self) -> str:
        return str(self.case_id)


class CaseKey(models.Model):
    """An exact value that finds a case: its number, serial, tracking code, a party's phone, ID number or
    credit code, each normalised (segment.normalize, phones without separators, IDs upper case)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(_("检索键"), max_length=80)

    class Meta:
        verbose_name = _("案件检索键")
        verbose_name_plural = _("案件检索键")
        indexes = [models.Index(fields=["key", "case"], name="search_key_lookup")]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="search_key_once")]

    def __str__(self) -> str:
        return self.key


class IndexQueue(models.Model):
    """A case whose index row and keys are to be rebuilt: written by the timeline hook in the transaction of
    the change (so it commits or rolls back with it), deleted by the sweep (``indexer.index_pending``, every
    ``search.apps.SWEEP_SECONDS``) in the transaction that rebuilds the row. A worker that dies mid-sweep
    rolls its deletes back with its writes: the rows stay queued for the next sweep. Each change adds a row
    (never updates one), so a change never waits for a sweep's locks."""

    id = models.BigAutoField(primary_key=True)
    # No foreign key constraint or index: the insert is the whole cost a change pays (a case deleted since
    # is skipped by the sweep).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        verbose_name = _("待索引案件")
        verbose_name_plural = _("待索引案件")

    def __str__(self) -> str:
        return str(self.case_id)
