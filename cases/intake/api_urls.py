"""Open311 GeoReport v2 routes for external intake; mounted at /api/open311/v2/."""

from django.urls import path

from cases.intake import api as api_intake

urlpatterns = [
    path("services.json", api_intake.ServiceListView.as_view(), name="open311-services"),
    path("requests.json", api_intake.RequestListView.as_view(), name="open311-requests"),
    path("requests/<int:pk>.json", api_intake.RequestDetailView.as_view(), name="open311-request"),
    # GeoReport v2's XML forms of the same methods, and the service definitions (both formats)
    path(
        "services.xml", api_intake.ServiceListView.as_view(), {"format": "xml"}, name="open311-services-xml"
    ),
    path(
        "requests.xml", api_intake.RequestListView.as_view(), {"format": "xml"}, name="open311-requests-xml"
    ),
    path(
        "requests/<int:pk>.xml",
        api_intake.RequestDetailView.as_view(),
        {"format": "xml"},
        name="open311-request-xml",
    ),
    path(
        "services/<slug:code>.json",
        api_intake.ServiceDefinitionView.as_view(),
        {"format": "json"},
        name="open311-service-definition",
    ),
    path(
        "services/<slug:code>.xml",
        api_intake.ServiceDefinitionView.as_view(),
        {"format": "xml"},
        name="open311-service-definition-xml",
    ),
    path("tokens/<slug:token>.json", api_intake.TokenView.as_view(), {"format": "json"}, name="open311-token"),
    path("tokens/<slug:token>.xml", api_intake.TokenView.as_view(), {"format": "xml"}, name="open311-token-xml"),
    path(
        "servicerequestupdates.json",
        api_intake.ServiceRequestUpdatesView.as_view(),
        {"format": "json"},
        name="open311-updates",
    ),
    path(
        "servicerequestupdates.xml",
        api_intake.ServiceRequestUpdatesView.as_view(),
        {"format": "xml"},
        name="open311-updates-xml",
    ),
]
