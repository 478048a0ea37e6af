from django.urls import path

from . import api

urlpatterns = [
    path("mediators/profiles/", api.ProfileListView.as_view(), name="api-mediator-profiles"),
    path("mediators/profiles/<int:pk>/", api.ProfileDetailView.as_view(), name="api-mediator-profile"),
    path("mediators/groups/", api.GroupListView.as_view(), name="api-mediator-groups"),
    path("mediators/measures/", api.MeasuresView.as_view(), name="api-mediator-measures"),
    path("mediators/requests/", api.RequestListView.as_view(), name="api-mediator-requests"),
    path(
        "mediators/requests/<int:pk>/decide/",
        api.RequestDecisionView.as_view(),
        name="api-mediator-request-decide",
    ),
    path("mediators/public/", api.PublicDirectoryView.as_view(), name="api-mediator-public"),
    path(
        "cases/<int:pk>/recommendations/", api.RecommendationView.as_view(), name="api-case-recommendations"
    ),
]
