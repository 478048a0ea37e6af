"""Warnings over the API: the dashboard figures, a case's clocks and level, issuing a supervision order."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import get_case_for_user
from cases.core.models import WarningLevel
from cases.warnings import services
from cases.warnings.forms import PeriodForm
from cases.warnings.models import ClockUnit, SupervisionOrder
from cases.warnings.selectors import Period, case_warning_panel, dashboard_figures, default_period
from mediation_center.db_router import reporting_reads
from routing.models import Channel

Role = Membership.Role


def _dt(value):
    return value.isoformat() if value else None


def case_brief(case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "center": case.center.name,
        "warning_level": case.warning_level,
        "warning_level_label": case.get_warning_level_display(),
        "response_due_at": _dt(case.response_due_at),
        "due_at": _dt(case.due_at),
    }


def figures_json(figures: dict) -> dict:
    period = figures["period"]
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "by_channel": {key: figures["by_channel"][key] for key in ("columns", "rows")},
        "by_center": [
            {key: row[key] for key in ("center", "total", "levels")} for row in figures["by_center"]
        ],
        "red_orange": [case_brief(c) for c in figures["red_orange"]],
        "overdue_cases": [case_brief(c) for c in figures["overdue_cases"]],
        "overdue_orders": [
            {"id": o.pk, "case": o.case.number, "deadline": _dt(o.deadline), "state": o.state}
            for o in figures["overdue_orders"]
        ],
        "overdue_summonses": [
            {
                "case": s.case_id,
                "number": s.case.number,
                "department": s.department.name,
                "deadline": s.deadline.isoformat(),
            }
            for s in figures["overdue_summonses"]
        ],
        "overdue_visits": [
            {"case": v.case_id, "number": v.case.number, "reason": v.reason, "due_on": v.due_on.isoformat()}
            for v in figures["overdue_visits"]
        ],
        "newly_escalated": [
            {
                "case": c.case.number,
                "from": c.from_level,
                "to": c.to_level,
                "at": _dt(c.created_at),
                "reason": c.reason,
            }
            for c in figures["newly_escalated"]
        ],
        "series": [{**d, "day": d["day"].isoformat()} for d in figures["series"]],
        "measures": figures["measures"],
        "money_covered": str(figures["money_covered"]),
    }


# What the views below answer, for the schema (tests/api/test_schema_contract.py holds them together).


class CaseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    center = serializers.CharField()
    warning_level = serializers.ChoiceField(choices=WarningLevel.choices)
    warning_level_label = serializers.CharField()
    response_due_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class ExtensionSerializer(serializers.Serializer):
    length = serializers.IntegerField()
    reason = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=ClockUnit.choices)
    length = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    provisional = serializers.BooleanField()
    paused = serializers.BooleanField()
    stopped_at = serializers.DateTimeField(allow_null=True)
    extensions = ExtensionSerializer(many=True)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=SupervisionOrder.State.choices)
    deadline = serializers.DateTimeField()
    instructions = serializers.CharField()


class CaseWarningsSerializer(serializers.Serializer):
    case = CaseBriefSerializer()
    risk_level = serializers.ChoiceField(choices=WarningLevel.choices)
    time_level = serializers.ChoiceField(choices=WarningLevel.choices)
    next_check_at = serializers.DateTimeField(allow_null=True)
    clocks = ClockSerializer(many=True)
    supervision_orders = OrderSerializer(many=True)


class OrderCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=SupervisionOrder.State.choices)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class OverdueOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(help_text="case number")
    deadline = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=SupervisionOrder.State.choices)


class OverdueSummonsSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    number = serializers.CharField()
    department = serializers.CharField()
    deadline = serializers.DateTimeField()


class OverdueVisitSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    number = serializers.CharField()
    reason = serializers.CharField()
    due_on = serializers.DateField()


class EscalationSerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields are listed here rather than declared.
        return {
            "case": serializers.CharField(help_text="case number"),
            "from": serializers.ChoiceField(choices=WarningLevel.choices),
            "to": serializers.ChoiceField(choices=WarningLevel.choices),
            "at": serializers.DateTimeField(),
            "reason": serializers.CharField(),
        }


class LevelRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=WarningLevel.choices)
    label = serializers.CharField()
    cells = serializers.ListField(child=serializers.IntegerField(), help_text="one count per column")
    total = serializers.IntegerField()


class LevelByChannelSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField(), help_text="the channels, then unrouted")
    rows = LevelRowSerializer(many=True)


class LevelByCenterSerializer(serializers.Serializer):
    center = serializers.CharField()
    total = serializers.IntegerField()
    levels = serializers.ListField(child=serializers.IntegerField(), help_text="counts from red down to blue")


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    registered = serializers.IntegerField()
    resolved = serializers.IntegerField()


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null when the denominator is 0")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    pending = serializers.BooleanField()


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    by_channel = LevelByChannelSerializer()
    by_center = LevelByCenterSerializer(many=True)
    red_orange = CaseBriefSerializer(many=True)
    overdue_cases = CaseBriefSerializer(many=True)
    overdue_orders = OverdueOrderSerializer(many=True)
    overdue_summonses = OverdueSummonsSerializer(many=True)
    overdue_visits = OverdueVisitSerializer(many=True)
    newly_escalated = EscalationSerializer(many=True)
    series = DaySerializer(many=True)
    measures = MeasureSerializer(many=True)
    money_covered = serializers.DecimalField(max_digits=16, decimal_places=2)


class DashboardView(APIView):
    """The supervisor dashboard's figures for ?start=YYYY-MM-DD&end=YYYY-MM-DD (default: this month)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=False),
            OpenApiParameter("end", OpenApiTypes.DATE, required=False),
        ],
        responses=DashboardSerializer,
    )
    def get(self, request):
        if not roles_of(request.user).has(Role.SUPERVISOR, Role.ADMIN):
            raise PermissionDenied
        form = PeriodForm(request.query_params or None)
        period = default_period()
        if form.is_bound:
            if not form.is_valid():
                raise serializers.ValidationError(form.errors)
            period = Period(
                form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
            )
        with reporting_reads():
            return Response(figures_json(dashboard_figures(request.user, period)))


class CaseWarningsView(APIView):
    """A case's warning level, clocks (with pauses and extensions) and supervision orders."""

    @extend_schema(responses=CaseWarningsSerializer)
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk)
        panel = case_warning_panel(case)
        return Response(
            {
                "case": case_brief(case),
                "risk_level": case.risk_level,
                "time_level": case.time_level,
                "next_check_at": _dt(case.next_check_at),
                "clocks": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "unit": c.unit,
                        "length": c.length,
                        "started_at": _dt(c.started_at),
                        "due_at": _dt(c.due_at),
                        "provisional": c.provisional,
                        "paused": bool(c.paused_since),
                        "stopped_at": _dt(c.stopped_at),
                        "extensions": [{"length": e.length, "reason": e.reason} for e in c.extensions.all()],
                    }
                    for c in panel["clocks"]
                ],
                "supervision_orders": [
                    {
                        "id": o.pk,
                        "state": o.state,
                        "deadline": _dt(o.deadline),
                        "instructions": o.instructions,
                    }
                    for o in panel["orders"]
                ],
            }
        )


class OrderInput(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    channel = serializers.SlugRelatedField(
        slug_field="code", queryset=Channel.objects.all(), required=False, allow_null=True
    )
    instructions = serializers.CharField(max_length=2000)
    deadline = serializers.DateTimeField()


class SupervisionOrderCreateView(APIView):
    """Issue a supervision order on a case (supervisors of its center or above)."""

    @extend_schema(request=OrderInput, responses={201: OrderCreatedSerializer})
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        data = OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.issue_supervision_order(
            case,
            actor=request.user,
            instructions=data.validated_data["instructions"],
            deadline=data.validated_data["deadline"],
            recipient=data.validated_data.get("recipient"),
            channel=data.validated_data.get("channel"),
        )
        return Response({"id": order.pk, "state": order.state}, status=status.HTTP_201_CREATED)
