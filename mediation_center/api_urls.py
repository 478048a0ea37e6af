"""All API routes, one include per app."""

from django.urls import include, path

from accounts import api as accounts_api

urlpatterns = [
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("", include("search.api_urls")),  # before cases: /api/cases/search/
    path("", include("cases.api_urls")),
    path("", include("routing.api_urls")),
    path("", include("records.api_urls")),
    path("", include("mediators.api_urls")),
    path("", include("grassroots.api_urls")),
    path("risk/", include("risk.api_urls")),
    path("", include("online.api_urls")),
    path("", include("eservice.api_urls")),
    path("", include("courtlink.api_urls")),
]
