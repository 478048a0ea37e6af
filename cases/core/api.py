from rest_framework import generics

from cases.core.access import get_case_for_user
from cases.core.selectors import case_list_for
from cases.core.serializers import CaseDetailSerializer, CaseListSerializer


class CaseListView(generics.ListAPIView):
    """Cases the caller may see, highest warning first."""

    serializer_class = CaseListSerializer

    def get_queryset(self):
        return case_list_for(self.request.user)


class CaseDetailView(generics.RetrieveAPIView):
    serializer_class = CaseDetailSerializer

    def get_object(self):
        return get_case_for_user(self.request.user, self.kwargs["pk"])
