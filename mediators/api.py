"""The mediator library over the API, with the access rules of the pages."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import measures as measures_mod
from . import ranking, selectors, services
from .access import get_request_for_user, profiles_visible_to, reads_library
from .models import MediationGroup, MediatorProfile, MediatorRequest
from .serializers import (
    DecisionSerializer,
    GroupSerializer,
    MeasuresSerializer,
    PeriodSerializer,
    ProfileSerializer,
    PublicDirectoryFilterSerializer,
    PublicDirectorySerializer,
    RecommendationSerializer,
    RequestSerializer,
)
from .views import _case_for_supervisor


class ProfileListView(generics.ListAPIView):
    """Mediator profiles of the library (every staff member with a role reads them)."""

    serializer_class = ProfileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediatorProfile.objects.none()
        if not reads_library(self.request.user):
            raise Http404
        return (
            profiles_visible_to(self.request.user)
            .select_related("user")
            .prefetch_related("centers", "channels", "specialties", "credentials")
            .order_by("pk")
        )


class ProfileDetailView(generics.RetrieveAPIView):
    serializer_class = ProfileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediatorProfile.objects.none()
        return profiles_visible_to(self.request.user).select_related("user")


class GroupListView(generics.ListAPIView):
    """Studios (品牌调解工作室) and 1+1+N teams with their members."""

    serializer_class = GroupSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediationGroup.objects.none()
        if not reads_library(self.request.user):
            raise Http404
        return selectors.library_groups(self.request.user).order_by("kind", "name", "pk")


def _candidate(c) -> dict:
    target = c.group or c.profile
    return {
        "kind": "group" if c.group else "mediator",
        "id": target.pk if target else c.user.pk,
        "name": c.name,
        "score": c.score,
        "load": c.load,
        "reasons": c.reasons,
        "credential_warning": c.credential_warning,
    }


class RecommendationView(APIView):
    """The case's recommended mediators and studios/teams with their reasons (the case's supervisors)."""

    @extend_schema(responses=RecommendationSerializer)
    def get(self, request, pk: int):
        case = _case_for_supervisor(request, pk)
        return Response(
            {
                "mediators": [_candidate(c) for c in ranking.recommend_mediators(case)],
                "groups": [_candidate(c) for c in ranking.recommend_groups(case)],
            }
        )


class MeasuresView(APIView):
    """The fair measures for a period (default: the last 365 days): a supervisor's centers, a mediator's own."""

    @extend_schema(parameters=[PeriodSerializer], responses=MeasuresSerializer)
    def get(self, request):
        if not reads_library(request.user):
            raise Http404
        params = PeriodSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        start = params.validated_data.get("start") or today - timedelta(days=364)
        end = params.validated_data.get("end") or today
        return Response(MeasuresSerializer(measures_mod.measures_for(request.user, start, end)).data)


class RequestListView(generics.ListAPIView):
    """The parties' requests for a mediator on the caller's centers' cases."""

    serializer_class = RequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediatorRequest.objects.none()
        if not selectors.requests_visible_to_anyone(self.request.user):
            raise PermissionDenied
        return selectors.pending_requests(self.request.user)


class RequestDecisionView(APIView):
    """Accept or decline a party's request, with a reason the party sees."""

    @extend_schema(request=DecisionSerializer, responses=RequestSerializer)
    def post(self, request, pk: int):
        mediator_request = get_request_for_user(request.user, pk, write=True)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.decide_request(mediator_request, actor=request.user, **data.validated_data)
        return Response(RequestSerializer(decided).data)


PUBLIC_PAGE = 50


class PublicDirectoryView(APIView):
    """The public directory: public mediators and studios/teams, public fields only, 50 of each per page;
    no sign-in needed."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(parameters=[PublicDirectoryFilterSerializer], responses=PublicDirectorySerializer)
    def get(self, request):
        params = PublicDirectoryFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = params.validated_data.get("page", 1)
        profiles, groups = selectors.public_directory(
            specialty=params.validated_data.get("specialty"), level=params.validated_data.get("level")
        )
        window = slice((page - 1) * PUBLIC_PAGE, page * PUBLIC_PAGE)
        return Response(
            PublicDirectorySerializer(
                {"page": page, "mediators": profiles[window], "groups": groups[window]}
            ).data
        )
