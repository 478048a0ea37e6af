"""研判预警 over the API: the same selectors, services and access rules as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import cases_visible_to
from risk import services
from risk.access import can_change, get_signal_for_user, is_supervisor, signals_visible_to
from risk.models import FollowUpTask, RiskSignal
from risk.serializers import (
    SignalAssignInputSerializer,
    SignalCloseInputSerializer,
    SignalConferenceInputSerializer,
    SignalDetailSerializer,
    SignalSerializer,
    SignalTaskDoneInputSerializer,
    SignalTaskInputSerializer,
    SignalTaskSerializer,
)


def _detail(request, signal) -> Response:
    signal = RiskSignal.objects.select_related("center", "dispute_type", "assignee").get(pk=signal.pk)
    cases = list(
        cases_visible_to(request.user).filter(risk_signal_links__signal=signal).order_by("-created_at")[:200]
    )
    return Response(SignalDetailSerializer(signal, context={"cases": cases}).data)


class SignalListView(generics.ListAPIView):
    """Risk signals the caller works or follows; ``state=open`` (default) or ``closed`` or ``all``."""

    serializer_class = SignalSerializer

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["open", "closed", "all"], required=False)]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskSignal.objects.none()
        if not is_supervisor(self.request.user):
            raise PermissionDenied
        qs = signals_visible_to(self.request.user).select_related("center", "dispute_type", "assignee")
        state = self.request.query_params.get("state", "open")
        if state == "open":
            qs = qs.exclude(state=RiskSignal.State.CLOSED)
        elif state == "closed":
            qs = qs.filter(state=RiskSignal.State.CLOSED)
        elif state != "all":
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"state": ["state 须为 open、closed 或 all。"]})
        return qs.order_by("-level", "-last_detected_at", "pk")


class SignalDetailView(APIView):
    @extend_schema(responses=SignalDetailSerializer)
    def get(self, request, pk: int):
        return _detail(request, get_signal_for_user(request.user, pk))


class AcknowledgeView(APIView):
    @extend_schema(request=None, responses=SignalDetailSerializer)
    def post(self, request, pk: int):
        signal = get_signal_for_user(request.user, pk, write=True)
        return _detail(request, services.acknowledge_signal(signal, actor=request.user))


class AssignView(APIView):
    @extend_schema(request=SignalAssignInputSerializer, responses=SignalDetailSerializer)
    def post(self, request, pk: int):
        signal = get_signal_for_user(request.user, pk, write=True)
        data = SignalAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _detail(request, services.assign_signal(signal, actor=request.user, **data.validated_data))


class ConferenceView(APIView):
    @extend_schema(request=SignalConferenceInputSerializer, responses={201: SignalDetailSerializer})
    def post(self, request, pk: int):
        signal = get_signal_for_user(request.user, pk, write=True)
        data = SignalConferenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = (
            cases_visible_to(request.user).filter(pk=values["case"], risk_signal_links__signal=signal).first()
        )
        if case is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"case": ["会商所依托的案件须是该信号所列案件之一。"]})
        services.link_conference(
            signal,
            actor=request.user,
            case=case,
            held_at=values["held_at"],
            participants=values["participants"],
            decisions=values["decisions"],
            tasks=[services.TaskData(**t) for t in values["tasks"]],
        )
        response = _detail(request, signal)
        response.status_code = status.HTTP_201_CREATED
        return response


class TaskView(APIView):
    @extend_schema(request=SignalTaskInputSerializer, responses={201: SignalTaskSerializer})
    def post(self, request, pk: int):
        signal = get_signal_for_user(request.user, pk, write=True)
        data = SignalTaskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.add_follow_up_task(
            signal, actor=request.user, task=services.TaskData(**data.validated_data)
        )
        return Response(SignalTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDoneView(APIView):
    @extend_schema(request=SignalTaskDoneInputSerializer, responses=SignalTaskSerializer)
    def post(self, request, pk: int, task_pk: int):
        signal = get_signal_for_user(request.user, pk)
        task = FollowUpTask.objects.filter(signal=signal, pk=task_pk).select_related("owner").first()
        if task is None:
            raise Http404
        if task.owner_id != request.user.pk and not can_change(request.user, signal):
            raise PermissionDenied
        data = SignalTaskDoneInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.complete_follow_up_task(task, actor=request.user, **data.validated_data)
        return Response(SignalTaskSerializer(task).data)


class CloseView(APIView):
    @extend_schema(request=SignalCloseInputSerializer, responses=SignalDetailSerializer)
    def post(self, request, pk: int):
        signal = get_signal_for_user(request.user, pk, write=True)
        data = SignalCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _detail(request, services.close_signal(signal, actor=request.user, **data.validated_data))
