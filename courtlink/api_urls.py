from django.urls import path

from courtlink import api

urlpatterns = [
    path("courtlink/cases/<int:pk>/handoffs/", api.HandoffListView.as_view(), name="api-courtlink-handoffs"),
    path(
        "courtlink/cases/<int:pk>/handoffs/<int:handoff_pk>/progress/",
        api.HandoffProgressView.as_view(),
        name="api-courtlink-progress",
    ),
    path(
        "courtlink/court/handoffs/<str:reference>/status/",
        api.CourtUpdateView.as_view(),
        name="api-courtlink-court-update",
    ),
]
