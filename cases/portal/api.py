"""The portal's public API: what the portal home and the online application show before anyone signs
in — the center's contact details and the privacy notice an applicant consents to (with its version and
digest, so a client app can show the same text and send back the version it showed)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.portal import privacy, selectors


class CenterContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    office_hours = serializers.CharField(allow_blank=True)


class NoticeSectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    text = serializers.CharField()


class PrivacyNoticeSerializer(serializers.Serializer):
    version = serializers.CharField()
    sha256 = serializers.CharField()
    sections = NoticeSectionSerializer(many=True)


class PortalCentersView(APIView):
    """The centers on the portal home with their address, phone and office hours (public)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CenterContactSerializer(many=True), auth=[])
    def get(self, request):
        return Response(CenterContactSerializer(selectors.home_centers(), many=True).data)


class PrivacyNoticeView(APIView):
    """个人信息处理告知: the notice an online applicant consents to, in the request's language; ``sha256``
    is the digest of its Chinese text, the one recorded with a consent (public)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PrivacyNoticeSerializer, auth=[])
    def get(self, request):
        sections = [{"heading": str(heading), "text": str(text)} for heading, text in privacy.NOTICE]
        body = {"version": privacy.NOTICE_VERSION, "sha256": privacy.notice_sha256(), "sections": sections}
        return Response(PrivacyNoticeSerializer(body).data)
