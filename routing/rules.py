"""Rule matching: which routing rule fits a case, and why, in words a clerk can read."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import Center, Department
from cases.core.models import Case, Source
from cases.core.workcalendar import bump_reference_version, reference_data

from .models import Channel, RoutingRule


@dataclass
class RouteSuggestion:
    rule: RoutingRule | None
    channel: Channel
    center: Center
    departments: list[Department] = field(default_factory=list)
    priority: int = 0
    summons_hours: int = 24
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "；".join(self.reasons)


def _conditions(rule: RoutingRule, case: Case, center: Center) -> list[str] | None:
    """The reasons the rule matches, or None when one of its conditions fails."""
    reasons: list[str] = []
    type_ids = {t.pk for t in rule.dispute_types.all()}
    if type_ids:
        if case.dispute_type_id not in type_ids:
            return None
        reasons.append(_("纠纷类型为“%(type)s”") % {"type": case.dispute_type.name})
    if rule.sources:
        if case.source not in rule.sources:
            return None
        reasons.append(_("来源为“%(source)s”") % {"source": Source(case.source).label})
    if rule.center_levels:
        if center.level not in rule.center_levels:
            return None
        reasons.append(_("受理中心层级为“%(level)s”") % {"level": center.get_level_display()})
    if rule.min_amount is not None:
        if case.amount is None or case.amount < rule.min_amount:
            return None
        reasons.append(
            _("涉及金额 %(amount)s 元，不低于 %(min)s 元") % {"amount": case.amount, "min": rule.min_amount}
        )
    if rule.max_amount is not None:
        if case.amount is not None and case.amount >= rule.max_amount:
            return None
        reasons.append(_("涉及金额低于 %(max)s 元") % {"max": rule.max_amount})
    if rule.min_people is not None:
        if case.people_count < rule.min_people:
            return None
        reasons.append(
            _("涉及 %(n)s 人，不少于 %(min)s 人") % {"n": case.people_count, "min": rule.min_people}
        )
    if rule.max_people is not None:
        if case.people_count >= rule.max_people:
            return None
        reasons.append(_("涉及人数少于 %(max)s 人") % {"max": rule.max_people})
    if rule.risk == RoutingRule.Risk.WITH_RISK:
        if not case.has_risk:
            return None
        reasons.append(_("有风险标记"))
    elif rule.risk == RoutingRule.Risk.NO_RISK:
        if case.has_risk:
            return None
        reasons.append(_("无风险标记"))
    return reasons


def target_center(center: Center, level: str) -> Center:
    """The center a rule's target level points to, starting from the case's current center."""
    if level == RoutingRule.TargetLevel.UP_ONE and center.parent_id:
        return center.parent
    if level == RoutingRule.TargetLevel.COUNTY:
        county = center.ancestors().filter(level=Center.Level.COUNTY).last()
        return county or center
    return center


def departments_for(codes: list[str], center: Center) -> list[Department]:
    """Departments by code, taken from the nearest center on the path from ``center`` up to the top."""
    if not codes:
        return []
    chain = list(center.ancestors())  # top first
    found: dict[str, Department] = {}
    for dept in Department.objects.filter(center__in=chain, code__in=codes).select_related("center"):
        current = found.get(dept.code)
        if current is None or dept.center.level > current.center.level:
            found[dept.code] = dept
    return [found[c] for c in codes if c in found]


def _load_rules() -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(active=True)
        .select_related("channel")
        .prefetch_related("dispute_types")
        .order_by("is_default", "position", "pk")
    )


def active_rules() -> list[RoutingRule]:
    """The active rules in order, with their channels and dispute types: reference data, read through the
    reference cache (``cases.core.workcalendar.reference_data``; a save or delete of a rule, its dispute
    types, a channel or a dispute type starts a new version, see ``connect_rule_signals``). Shared: callers
    must not change them."""
    return reference_data("routing-rules", _load_rules)


def _rules_changed(sender, using=None, **kwargs) -> None:
    bump_reference_version(using or "default")


def connect_rule_signals() -> None:
    """Cache invalidation only (called from ``RoutingConfig.ready``)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from cases.core.models import DisputeType

    for model in (RoutingRule, Channel, DisputeType):
        uid = f"routing-rules-{model.__name__}"
        post_save.connect(_rules_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_rules_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        _rules_changed, sender=RoutingRule.dispute_types.through, dispatch_uid="routing-rules-dispute-types"
    )


def suggest_route(case: Case, *, rules: list[RoutingRule] | None = None) -> RouteSuggestion:
    """The route of the first matching rule; the default rule (or, lacking one, the online channel) otherwise."""
    center = case.center
    for rule in rules if rules is not None else active_rules():
        reasons = [] if rule.is_default else _conditions(rule, case, center)
        if reasons is None:
            continue
        if rule.is_default:
            reasons = [_("没有其他规则匹配，使用默认规则")]
        target = target_center(center, rule.target_level)
        if target != center:
            reasons.append(_("转至%(center)s办理") % {"center": target.name})
        reasons.append(rule.reason)
        return RouteSuggestion(
            rule=rule,
            channel=rule.channel,
            center=target,
            departments=departments_for(rule.department_codes, target),
            priority=rule.priority,
            summons_hours=rule.summons_hours,
            reasons=reasons,
        )
    # Only reachable if an administrator deactivated every rule including the default one.
    return RouteSuggestion(
        rule=None,
        channel=Channel.objects.get(code=Channel.Code.ONLINE),
        center=center,
        reasons=[_("未配置有效的分流规则，请人工选择")],
    )
