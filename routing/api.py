"""Routing over the API: the same services and access rules as the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import roles_of
from accounts.models import Membership
from cases.core.access import get_case_for_user, supervises
from cases.core.models import Case
from cases.core.serializers import CaseListSerializer

from . import selectors, services
from .access import get_case_for_claim, get_summons_for_user
from .models import Summons
from .rules import suggest_route
from .selectors import QueueFilters
from .serializers import (
    ActionSerializer,
    AssignInputSerializer,
    AssignmentSerializer,
    QueueCaseSerializer,
    QueueFilterSerializer,
    ReasonSerializer,
    RouteInputSerializer,
    SuggestionSerializer,
    SummonInputSerializer,
    SummonsDetailSerializer,
    SummonsSerializer,
    TransferInputSerializer,
)

Role = Membership.Role


def _case_payload(case) -> dict:
    case.refresh_from_db()
    return CaseListSerializer(case).data


class QueueView(generics.ListAPIView):
    """The mediator queue: ``tab=mine|channel`` plus status, warning_level, dispute_type, overdue."""

    serializer_class = QueueCaseSerializer

    @extend_schema(parameters=[QueueFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        if not roles_of(self.request.user).has(Role.MEDIATOR):
            raise PermissionDenied
        params = QueueFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.mediator_queue(self.request.user, QueueFilters(**params.validated_data))


class RouteView(APIView):
    """GET the suggested route with its rule and reason; POST to accept it (empty body) or override it."""

    @extend_schema(responses=SuggestionSerializer)
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        return Response(SuggestionSerializer(suggest_route(case)).data)

    @extend_schema(request=RouteInputSerializer, responses=CaseListSerializer)
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        data = RouteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.route_case(case, actor=request.user, **data.validated_data)
        return Response(_case_payload(case))


class ClaimView(APIView):
    @extend_schema(request=None, responses={201: AssignmentSerializer})
    def post(self, request, pk: int):
        case = get_case_for_claim(request.user, pk)
        assignment = services.claim_case(case, actor=request.user)
        return Response(AssignmentSerializer(assignment).data, status=201)


class AssignmentsView(APIView):
    """GET the case's mediators; POST (supervisors) to assign or reassign with a reason."""

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk)
        return Response(AssignmentSerializer(selectors.case_assignments(case), many=True).data)

    @extend_schema(request=AssignInputSerializer, responses={201: AssignmentSerializer})
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        if not supervises(request.user, case.center):
            raise PermissionDenied
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assign_mediator(case, actor=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data, status=201)


class TransferView(APIView):
    @extend_schema(request=TransferInputSerializer, responses=CaseListSerializer)
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.transfer_case(case, actor=request.user, **data.validated_data)
        return Response(_case_payload(case))


class CaseSummonsesView(APIView):
    @extend_schema(responses=SummonsSerializer(many=True))
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk)
        return Response(SummonsSerializer(selectors.case_summonses(request.user, case), many=True).data)

    @extend_schema(request=SummonInputSerializer, responses={201: SummonsSerializer(many=True)})
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        data = SummonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summonses = services.summon_departments(case, actor=request.user, **data.validated_data)
        return Response(SummonsSerializer(summonses, many=True).data, status=201)


class LiaisonQueueView(generics.ListAPIView):
    serializer_class = SummonsSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Summons.objects.none()
        if not roles_of(self.request.user).has(Role.LIAISON):
            raise PermissionDenied
        return selectors.liaison_queue(self.request.user, state=self.request.query_params.get("state", ""))


class SummonsDetailView(APIView):
    @extend_schema(responses=SummonsDetailSerializer)
    def get(self, request, pk: int):
        return Response(SummonsDetailSerializer(get_summons_for_user(request.user, pk)).data)


class SummonsAcceptView(APIView):
    @extend_schema(request=None, responses=SummonsSerializer)
    def post(self, request, pk: int):
        summons = services.accept_summons(
            get_summons_for_user(request.user, pk, write=True), actor=request.user
        )
        return Response(SummonsSerializer(summons).data)


class SummonsDeclineView(APIView):
    @extend_schema(request=ReasonSerializer, responses=SummonsSerializer)
    def post(self, request, pk: int):
        summons = get_summons_for_user(request.user, pk, write=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summons = services.decline_summons(summons, actor=request.user, reason=data.validated_data["reason"])
        return Response(SummonsSerializer(summons).data)


class SummonsActionView(APIView):
    @extend_schema(request=ActionSerializer, responses=SummonsSerializer)
    def post(self, request, pk: int):
        summons = get_summons_for_user(request.user, pk, write=True)
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summons = services.record_summons_action(
            summons, actor=request.user, action=data.validated_data["action"]
        )
        return Response(SummonsSerializer(summons).data)
