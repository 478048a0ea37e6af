from django.urls import include, path

from cases.core import api, api_identity

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path(
        "cases/<int:pk>/parties/<int:party_pk>/verify-identity/",
        api_identity.PartyIdentityView.as_view(),
        name="api-party-verify-identity",
    ),
    path("open311/v2/", include("cases.intake.api_urls")),
    path("", include("cases.warnings.api_urls")),
    path("", include("cases.lifecycle.api_urls")),
]
