"""The court hand-off over the API: the same selectors, services and access rules as the pages.

- ``GET/POST /api/courtlink/cases/<pk>/handoffs/``  staff who may see the case list them; who may change it
  prepares one (the package is rendered before the service's transaction)
- ``POST /api/courtlink/cases/<pk>/handoffs/<id>/progress/``  staff record submission and the court's answer
- ``POST /api/courtlink/court/handoffs/<reference>/status/``  the court's system (an ``ExternalSystem`` whose
  code is in ``COURTLINK_COURT_SYSTEMS``, signing in with its token as the intake systems do) pushes a step;
  a repeat of the current status answers 200 with ``changed: false``
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import get_case_for_user, is_staff_user
from cases.core.models import Case
from cases.documents.registry import DocumentNotAvailable
from cases.intake.api import IsExternalSystem
from courtlink import access, selectors, services
from courtlink.models import Handoff
from courtlink.package import assemble
from mediation_center.errors import DomainError


class PartSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()


class HandoffSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="移送编号：法院系统回传进度时使用")
    kind = serializers.ChoiceField(choices=Handoff.Kind.choices)
    route = serializers.ChoiceField(choices=Handoff.Route.choices)
    status = serializers.ChoiceField(choices=Handoff.Status.choices)
    court_name = serializers.CharField()
    court_reference = serializers.CharField()
    prepared_at = serializers.DateTimeField()
    submitted_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    package_sha256 = serializers.CharField()
    manifest_sha256 = serializers.CharField()
    parts = PartSerializer(many=True, source="parts.all")


class HandoffListSerializer(serializers.Serializer):
    confirmation_deadline = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    warning = serializers.BooleanField(help_text="期限即将届满且尚未提交申请")
    lapsed = serializers.BooleanField(help_text="期限已届满且未提交申请")
    handoffs = HandoffSerializer(many=True)


class PrepareInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Handoff.Kind.choices)
    route = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in services.LITIGATION_ROUTES],
        required=False,
        help_text="诉调对接的去向",
    )
    court_name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ProgressInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Handoff.Status.choices)
    on = serializers.DateField(
        required=False, allow_null=True, help_text="提交、受理或裁定的日期；缺省为今天"
    )
    court_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CourtUpdateResult(serializers.Serializer):
    changed = serializers.BooleanField(help_text="false：与当前状态相同，未重复登记")
    handoff = HandoffSerializer()


def _staff_case(request, pk: int, *, write: bool = False) -> Case:
    if not is_staff_user(request.user):
        raise Http404
    return get_case_for_user(
        request.user, pk, write=write, queryset=Case.objects.select_related("center", "dispute_type")
    )


def _fresh(handoff: Handoff) -> Handoff:
    return Handoff.objects.defer("package_pdf").prefetch_related("parts").get(pk=handoff.pk)


class HandoffListView(APIView):
    """The case's hand-offs to the court and its judicial-confirmation window; staff who may see the case."""

    @extend_schema(responses=HandoffListSerializer)
    def get(self, request, pk: int):
        case = _staff_case(request, pk)
        card = selectors.handoff_card(case, request.user)
        return Response(
            HandoffListSerializer(
                {
                    "confirmation_deadline": card.deadline,
                    "days_left": card.days_left,
                    "warning": card.warning,
                    "lapsed": card.lapsed,
                    "handoffs": card.handoffs,
                }
            ).data
        )

    @extend_schema(request=PrepareInput, responses={201: HandoffSerializer})
    def post(self, request, pk: int):
        case = _staff_case(request, pk, write=True)
        data = PrepareInput(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        route = (
            Handoff.Route.JUDICIAL_CONFIRMATION
            if kind == Handoff.Kind.CONFIRMATION
            else data.validated_data.get("route")
        )
        if not route:
            raise services.InvalidHandoffInput(_("请选择移送的去向：转人民法院诉前调解，或引导当事人起诉。"))
        court_name = data.validated_data.get("court_name", "")
        try:
            assembled = assemble(case, kind=kind, route=route, court_name=court_name)
        except DocumentNotAvailable as exc:
            raise DomainError(exc.message, code="not_available") from exc
        handoff = services.prepare_handoff(
            case, actor=request.user, assembled=assembled, court_name=court_name, request=request
        )
        return Response(HandoffSerializer(_fresh(handoff)).data, status=status.HTTP_201_CREATED)


class HandoffProgressView(APIView):
    """Staff record a step (submitted, accepted with the court's reference, confirmed, rejected, closed)."""

    @extend_schema(request=ProgressInput, responses=HandoffSerializer)
    def post(self, request, pk: int, handoff_pk: int):
        case = _staff_case(request, pk, write=True)
        handoff = Handoff.objects.filter(pk=handoff_pk, case=case).first()
        if handoff is None:
            raise Http404
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        handoff = services.record_court_progress(
            handoff,
            actor=request.user,
            to=v["status"],
            on=v.get("on"),
            court_reference=v.get("court_reference", ""),
            note=v.get("note", ""),
        )
        return Response(HandoffSerializer(_fresh(handoff)).data)


class CourtUpdateView(APIView):
    """The court's system pushes a hand-off's progress, named by its reference (404 outside its subtree)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsExternalSystem]

    @extend_schema(request=ProgressInput, responses=CourtUpdateResult)
    def post(self, request, reference: str):
        handoff = access.handoff_for_court(request.user, reference)
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        handoff, changed = services.receive_court_update(
            handoff,
            system=request.user,
            to=v["status"],
            on=v.get("on"),
            court_reference=v.get("court_reference", ""),
            note=v.get("note", ""),
        )
        return Response({"changed": changed, "handoff": HandoffSerializer(_fresh(handoff)).data})
