"""Demo warnings for the run command."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _t

from cases.core.models import Case
from cases.warnings.services import issue_supervision_order, record_case_conference
from cases.warnings.sweep import sweep_due_cases


def build_demo_warnings(org: dict) -> None:
    """Demo: a supervision order and a conference on the most serious demo case, then one sweep."""
    users = org["users"]
    supervisor, mediator = users.get("supervisor"), users.get("mediator")
    county = org["centers"]["county"]
    case = Case.objects.filter(center=county).order_by("-warning_level", "pk").first()
    if case is None or supervisor is None:
        return
    issue_supervision_order(
        case,
        actor=supervisor,
        recipient=mediator,
        channel=case.channel,
        instructions=_t("涉及人数多、金额大，请三日内约谈企业负责人并反馈。"),
        deadline=timezone.now() + dt.timedelta(days=3),
    )
    record_case_conference(
        case,
        actor=supervisor,
        held_at=timezone.now(),
        participants=_t("人社局、属地镇街、派出所、调解员"),
        decisions=_t("由人社局牵头核实欠薪数额，属地镇街做好稳控。"),
    )
    sweep_due_cases()
