from django.urls import path

from online import api, session_api

urlpatterns = [
    path("online/verify/", api.VerifyView.as_view(), name="api-online-verify"),
    path("online/cases/<int:pk>/signatures/", api.SigningStatusView.as_view(), name="api-online-signatures"),
    path(
        "online/cases/<int:pk>/signing-invitations/",
        api.SigningInvitationView.as_view(),
        name="api-online-invitations",
    ),
    path(
        "online/cases/<int:pk>/sessions/", session_api.CaseSessionsView.as_view(), name="api-online-sessions"
    ),
    path(
        "online/cases/<int:pk>/sessions/<int:session_pk>/",
        session_api.SessionDetailView.as_view(),
        name="api-online-session",
    ),
    path(
        "online/cases/<int:pk>/sessions/<int:session_pk>/posts/",
        session_api.SessionPostView.as_view(),
        name="api-online-session-posts",
    ),
    path(
        "online/cases/<int:pk>/sessions/<int:session_pk>/invitations/",
        session_api.SessionInviteView.as_view(),
        name="api-online-session-invitations",
    ),
    path(
        "online/cases/<int:pk>/sessions/<int:session_pk>/times/",
        session_api.SessionTimesView.as_view(),
        name="api-online-session-times",
    ),
    path(
        "online/cases/<int:pk>/sessions/<int:session_pk>/close/",
        session_api.SessionCloseView.as_view(),
        name="api-online-session-close",
    ),
    path(
        "online/party-sessions/<str:token>/",
        session_api.PartySessionView.as_view(),
        name="api-online-party-session",
    ),
    path(
        "online/party-sessions/<str:token>/posts/",
        session_api.PartyPostView.as_view(),
        name="api-online-party-posts",
    ),
    path(
        "online/party-sessions/<str:token>/answers/",
        session_api.PartyAnswerView.as_view(),
        name="api-online-party-answers",
    ),
    path(
        "online/party-sessions/<str:token>/confirmation/",
        session_api.PartyConfirmView.as_view(),
        name="api-online-party-confirmation",
    ),
]
