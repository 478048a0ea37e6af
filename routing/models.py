from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """One of the five linked mediation channels (五调联动)."""

    class Code(models.TextChoices):
        COURT = "court", _("诉调")
        POLICE = "police", _("警调")
        ONLINE = "online", _("网调")
        SPECIALIST = "specialist", _("专调")
        PETITION = "petition", _("访调")

    code = models.CharField(_("代码"), max_length=16, unique=True, choices=Code.choices)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    auto_assign = models.BooleanField(
        _("自动指派"), default=False, help_text=_("开启后，分流到本渠道的案件自动指派给负荷最少的调解员。")
    )
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("调解渠道")
        verbose_name_plural = _("调解渠道")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name
