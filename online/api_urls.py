from django.urls import path

from online import api

urlpatterns = [
    path("online/verify/", api.VerifyView.as_view(), name="api-online-verify"),
    path("online/cases/<int:pk>/signatures/", api.SigningStatusView.as_view(), name="api-online-signatures"),
    path(
        "online/cases/<int:pk>/signing-invitations/",
        api.SigningInvitationView.as_view(),
        name="api-online-invitations",
    ),
]
