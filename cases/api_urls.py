"""The API of cases, under /api/: each sub-domain lists its own in ``api_urls.py``."""

from django.urls import include, path

urlpatterns = [
    path("", include("cases.core.api_urls")),
    path("open311/v2/", include("cases.intake.api_urls")),  # Open311 GeoReport v2 for external intake
    path("", include("cases.warnings.api_urls")),
    path("", include("cases.lifecycle.api_urls")),
    path("", include("cases.portal.api_urls")),
]
