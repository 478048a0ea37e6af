from django.urls import path

from cases.core import api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/reveals/", api.RevealListView.as_view(), name="api-reveal-list"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        "cases/<int:pk>/parties/<int:party_pk>/verify-identity/",
        api.PartyIdentityView.as_view(),
        name="api-party-verify-identity",
    ),
]
