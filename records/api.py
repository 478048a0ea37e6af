from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from .access import search_archive
from .models import ArchivedCase


class ArchivedCaseSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name")

    class Meta:
        model = ArchivedCase
        fields = [
            "id",
            "case_number",
            "tracking_code",
            "center",
            "dispute_type",
            "party_names",
            "status_label",
            "registered_at",
            "closed_at",
            "archived_at",
            "case_file_sha256",
        ]


@extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="案号、查询码或当事人姓名")])
class ArchivedCaseListView(generics.ListAPIView):
    """Archived cases the caller may find (supervisors and administrators of the center's subtree)."""

    serializer_class = ArchivedCaseSerializer

    def get_queryset(self):
        return search_archive(self.request.user, self.request.query_params.get("q", "")[:100])
