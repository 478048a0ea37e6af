from django.urls import path

from cases.lifecycle import api

urlpatterns = [
    path("follow-ups/overdue/", api.OverdueFollowUpsView.as_view(), name="api-overdue-follow-ups"),
    path("cases/<int:pk>/lifecycle/", api.CaseLifecycleView.as_view(), name="api-case-lifecycle"),
    path("cases/<int:pk>/sessions/", api.SessionCreateView.as_view(), name="api-session-create"),
    path(
        "cases/<int:pk>/sessions/<int:session_pk>/",
        api.SessionUpdateView.as_view(),
        name="api-session-update",
    ),
    path("cases/<int:pk>/agreement/", api.AgreementView.as_view(), name="api-agreement"),
    path("cases/<int:pk>/agreement/sign/", api.AgreementSignView.as_view(), name="api-agreement-sign"),
    path("cases/<int:pk>/conclude/", api.ConcludeView.as_view(), name="api-conclude"),
    path("cases/<int:pk>/evaluate/", api.EvaluateView.as_view(), name="api-evaluate"),
    path("cases/<int:pk>/reviewers/", api.ReviewerView.as_view(), name="api-reviewer"),
    path("cases/<int:pk>/close/", api.CloseView.as_view(), name="api-close"),
    path("cases/<int:pk>/reopen/", api.ReopenView.as_view(), name="api-reopen"),
    path("cases/<int:pk>/follow-ups/<int:visit_pk>/", api.FollowUpView.as_view(), name="api-follow-up"),
]
