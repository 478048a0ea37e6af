from django.urls import path

from . import api

urlpatterns = [
    path("grassroots/entries/", api.EntryListView.as_view(), name="api-grassroots-entries"),
    path("grassroots/risks/", api.RiskListView.as_view(), name="api-grassroots-risks"),
    path("grassroots/risks/<int:pk>/", api.RiskDetailView.as_view(), name="api-grassroots-risk"),
    path("grassroots/risks/<int:pk>/close/", api.RiskCloseView.as_view(), name="api-grassroots-risk-close"),
    path("grassroots/rounds/", api.RoundListView.as_view(), name="api-grassroots-rounds"),
    path(
        "grassroots/tasks/<int:pk>/report/", api.TaskReportView.as_view(), name="api-grassroots-task-report"
    ),
    path("grassroots/resolution/", api.ResolutionView.as_view(), name="api-grassroots-resolution"),
]
