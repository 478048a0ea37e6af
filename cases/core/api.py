from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import get_case_for_user, may_review_reveals, may_verify_identity
from cases.core.forms import RevealFilterForm
from cases.core.models import TimelineEvent
from cases.core.selectors import case_list_for, reveals_visible_to
from cases.core.serializers import CaseDetailSerializer, CaseListSerializer
from cases.core.services import RevealField, verify_party_identity


class CaseListView(generics.ListAPIView):
    """Cases the caller may see, highest warning first."""

    serializer_class = CaseListSerializer

    def get_queryset(self):
        return case_list_for(self.request.user)


class CaseDetailView(generics.RetrieveAPIView):
    serializer_class = CaseDetailSerializer

    def get_object(self):
        return get_case_for_user(self.request.user, self.kwargs["pk"])


class PartyIdentitySerializer(serializers.Serializer):
    """A party's identity check: when, by whom and how staff saw the ID document in person."""

    party = serializers.IntegerField()
    identity_verified = serializers.BooleanField()
    identity_verified_at = serializers.DateTimeField(allow_null=True)
    identity_verified_by = serializers.CharField(allow_null=True)
    identity_verified_how = serializers.ChoiceField(choices=["counter", "clerk", ""])


def identity_payload(party) -> dict:
    return {
        "party": party.pk,
        "identity_verified": party.identity_verified_at is not None,
        "identity_verified_at": party.identity_verified_at.isoformat()
        if party.identity_verified_at
        else None,
        "identity_verified_by": str(party.identity_verified_by) if party.identity_verified_by else None,
        "identity_verified_how": party.identity_verified_how,
    }


class PartyIdentityView(APIView):
    """POST: a clerk of the case's center records that they checked the party's ID in person (404 for a
    case the user may not see, 403 for one they see but do not handle at the counter, 409 when there is no
    ID number or it was checked already)."""

    @extend_schema(request=None, responses=PartyIdentitySerializer)
    def post(self, request, pk: int, party_pk: int):
        case = get_case_for_user(request.user, pk)
        party = case.parties.filter(pk=party_pk).first()
        if party is None:
            raise Http404
        if not may_verify_identity(request.user, case):
            raise PermissionDenied
        party = verify_party_identity(party, actor=request.user)
        return Response(identity_payload(party))


class RevealSerializer(serializers.Serializer):
    """One reveal of a party's full phone or ID number: who, when, which case and party, what and why."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    center = serializers.CharField(source="case.center.name")
    party = serializers.IntegerField(source="data.party", allow_null=True, default=None)
    party_name = serializers.CharField(source="data.name", default="")
    field = serializers.ChoiceField(source="data.field", choices=RevealField.choices)
    reason = serializers.CharField(source="data.given_reason", default="")


@extend_schema(
    parameters=[
        OpenApiParameter("case_number", str, description="案件编号（包含）"),
        OpenApiParameter("actor", str, description="查看人用户名（包含）"),
        OpenApiParameter("field", str, enum=RevealField.values),
        OpenApiParameter("since", OpenApiTypes.DATE),
        OpenApiParameter("until", OpenApiTypes.DATE),
    ]
)
class RevealListView(generics.ListAPIView):
    """Supervisors and admins: the reveals of full phones and ID numbers on their centers' cases, newest first
    (404 for anyone else, 400 for a bad filter); the same rows as the staff page /cases/reveals/."""

    serializer_class = RevealSerializer
    queryset = TimelineEvent.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        if not may_review_reveals(self.request.user):
            raise Http404
        form = RevealFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
            )
        return reveals_visible_to(self.request.user, **form.cleaned_data)
