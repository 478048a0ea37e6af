from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import roles_of


class MembershipSerializer(serializers.Serializer):
    center = serializers.CharField(source="center.name")
    center_id = serializers.IntegerField()
    role = serializers.CharField()
    department = serializers.CharField(source="department.name", default=None, allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    kind = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """The signed-in user and their roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "display_name": user.display_name,
            "kind": user.kind,
            "memberships": roles_of(user).memberships,
        }
        return Response(MeSerializer(data).data)
