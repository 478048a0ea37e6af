"""Open311 GeoReport v2 routes for external intake; mounted at /api/open311/v2/."""

from django.urls import path

from cases.intake import api as api_intake

urlpatterns = [
    path("services.json", api_intake.ServiceListView.as_view(), name="open311-services"),
    path("requests.json", api_intake.RequestListView.as_view(), name="open311-requests"),
    path("requests/<int:pk>.json", api_intake.RequestDetailView.as_view(), name="open311-request"),
]
