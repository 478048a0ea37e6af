"""The grassroots API: quick records and reports (JSON; photos through the phone form), latent risks,
screening rounds and the level-of-resolution figures, with the same access rules as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Center
from cases.core.identity import IdentityError, normalize_phone
from cases.core.models import DisputeType, Party
from cases.intake.services import CaseData, PartyData
from mediation_center.errors import DomainError

from . import selectors, services
from .access import get_risk_for_user, may_handle_risks, recording_centers, tasks_visible_to
from .forms import PeriodForm
from .models import Entry, LatentRisk, RiskLevel, ScreeningRound, ScreeningTask


class PartyInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")

    def validate_phone(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalize_phone(value)
        except IdentityError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class EntryInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Entry.Kind.choices)
    center = serializers.IntegerField(
        required=False, help_text=gettext_lazy("录入中心；默认为本人所在的第一个村/镇")
    )
    to_center = serializers.IntegerField(
        required=False, help_text=gettext_lazy("上报纠纷：本村或上一级镇（街道）")
    )
    dispute_type = serializers.SlugRelatedField(
        slug_field="code", queryset=DisputeType.objects.filter(active=True)
    )
    summary = serializers.CharField(max_length=2000)
    place = serializers.CharField(max_length=200)
    parties = PartyInSerializer(many=True, min_length=1, max_length=10)
    agreement = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    client_token = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class EntrySerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.number")
    case_status = serializers.CharField(source="case.status")
    center = serializers.CharField(source="case.center.name")

    class Meta:
        model = Entry
        fields = ["id", "kind", "case_id", "case_number", "case_status", "center", "created_at"]


def _center_of(user, pk) -> Center:
    centers = recording_centers(user)
    if not centers:
        raise PermissionDenied
    if pk is None:
        return centers[0]
    found = next((c for c in centers if c.pk == pk), None)
    if found is None:
        raise DomainError(_("只能在本人所在的村（社区）、镇（街道）录入。"), code="invalid")
    return found


class EntryListView(generics.ListCreateAPIView):
    """GET: my quick records and reports. POST: a quick record (registered, concluded by oral agreement and
    closed in one call) or a dispute reported up to the village's or town's intake list."""

    serializer_class = EntrySerializer
    queryset = Entry.objects.none()  # for the schema; get_queryset answers per caller

    def get_queryset(self):
        return selectors.my_entries(self.request.user)

    @extend_schema(request=EntryInSerializer, responses={201: EntrySerializer})
    def post(self, request):
        data_in = EntryInSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        center = _center_of(request.user, v.get("center"))
        parties = [
            PartyData(
                role=Party.Role.APPLICANT if i == 0 else Party.Role.RESPONDENT,
                name=p["name"],
                phone=p["phone"],
            )
            for i, p in enumerate(v["parties"])
        ]
        data = CaseData(
            dispute_type=v["dispute_type"], summary=v["summary"], place=v["place"], parties=parties
        )
        if v["kind"] == Entry.Kind.QUICK_RECORD:
            entry = services.record_quick(
                actor=request.user,
                center=center,
                data=data,
                agreement=v["agreement"],
                client_token=v["client_token"] or None,
            )
        else:
            to_center = Center.objects.filter(pk=v.get("to_center") or center.pk).first()
            if to_center is None:
                raise DomainError(_("上报中心不存在。"), code="invalid")
            entry = services.report_dispute(
                actor=request.user,
                center=center,
                to_center=to_center,
                data=data,
                client_token=v["client_token"] or None,
            )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RiskSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name", read_only=True)

    class Meta:
        model = LatentRisk
        fields = [
            "id",
            "center",
            "summary",
            "place",
            "people_count",
            "level",
            "status",
            "conclusion",
            "created_at",
            "closed_at",
        ]


class RiskInSerializer(serializers.Serializer):
    center = serializers.IntegerField(required=False)
    summary = serializers.CharField(max_length=2000)
    place = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    people_count = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    client_token = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class RiskListView(generics.ListCreateAPIView):
    """GET: the latent risks the caller may see (open first by level). POST: report one from the front line."""

    serializer_class = RiskSerializer

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "")
        return selectors.risk_list(self.request.user, status=wanted)

    @extend_schema(request=RiskInSerializer, responses={201: RiskSerializer})
    def post(self, request):
        data_in = RiskInSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        risk = services.report_risk(
            actor=request.user,
            center=_center_of(request.user, v.get("center")),
            data=services.RiskData(
                summary=v["summary"], place=v["place"], level=v["level"], people_count=v["people_count"]
            ),
            client_token=v["client_token"] or None,
        )
        return Response(RiskSerializer(risk).data, status=status.HTTP_201_CREATED)


class RiskDetailView(generics.RetrieveAPIView):
    serializer_class = RiskSerializer

    def get_object(self):
        return get_risk_for_user(self.request.user, self.kwargs["pk"])


class RiskCloseSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=2000)


class RiskCloseView(APIView):
    """POST: a supervisor at the risk's center or above closes it with a conclusion (404 unseen, 403 read-only)."""

    @extend_schema(request=RiskCloseSerializer, responses=RiskSerializer)
    def post(self, request, pk):
        risk = get_risk_for_user(request.user, pk)
        data_in = RiskCloseSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        risk = services.close_risk(risk, actor=request.user, conclusion=data_in.validated_data["conclusion"])
        return Response(RiskSerializer(risk).data)


class RoundSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name")
    task_count = serializers.IntegerField()
    pending_count = serializers.IntegerField()
    overdue_count = serializers.IntegerField()

    class Meta:
        model = ScreeningRound
        fields = [
            "id",
            "title",
            "kind",
            "center",
            "due_on",
            "checklist",
            "task_count",
            "pending_count",
            "overdue_count",
        ]


class RoundListView(generics.ListAPIView):
    """Screening rounds the caller organises or takes part in, with their pending and overdue tasks."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        return selectors.round_list(self.request.user)


class TaskReportSerializer(serializers.Serializer):
    findings = serializers.ListField(child=serializers.CharField(max_length=500), max_length=50, default=list)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScreeningTask
        fields = ["id", "round", "center", "status", "findings", "note", "reported_at"]


class TaskReportView(APIView):
    """POST: an assignee reports its screening task: nothing found (no findings) or the items found."""

    @extend_schema(request=TaskReportSerializer, responses=TaskSerializer)
    def post(self, request, pk):
        task = tasks_visible_to(request.user).filter(pk=pk).first()
        if task is None:
            raise Http404
        data_in = TaskReportSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        task = services.report_screening(task, actor=request.user, **data_in.validated_data)
        return Response(TaskSerializer(task).data)


class ResolutionSerializer(serializers.Serializer):
    center = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    village_rate = serializers.FloatField(allow_null=True)
    town_rate = serializers.FloatField(allow_null=True)
    kept_rate = serializers.FloatField(allow_null=True)
    on_spot_share = serializers.FloatField(allow_null=True)


class ResolutionView(APIView):
    """GET ?start=&end=&center=: where disputes end (小事不出村 / 大事不出镇 / 矛盾不上交), supervisors only."""

    @extend_schema(responses=ResolutionSerializer)
    def get(self, request):
        from accounts.access import centers_supervised_by

        if not may_handle_risks(request.user):
            raise PermissionDenied
        centers = centers_supervised_by(request.user).order_by("path")
        form = PeriodForm(request.query_params or {}, centers=centers)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        center = form.cleaned_data.get("center") or centers.first()
        f = selectors.resolution_figures(center, form.cleaned_data["start"], form.cleaned_data["end"])
        return Response(
            ResolutionSerializer(
                {
                    "center": center.name,
                    "start": f.start,
                    "end": f.end,
                    "counts": f.counts,
                    "village_rate": f.village_rate,
                    "town_rate": f.town_rate,
                    "kept_rate": f.kept_rate,
                    "on_spot_share": f.on_spot_share,
                }
            ).data
        )
