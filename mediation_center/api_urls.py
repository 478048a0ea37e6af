"""All API routes, one include per app."""

from django.urls import include, path

from accounts import api as accounts_api

urlpatterns = [
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("", include("cases.api_urls")),
    path("", include("routing.api_urls")),
    path("", include("online.api_urls")),
]
