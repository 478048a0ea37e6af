"""URLs of online signing (/online/)."""

from django.urls import path

from online import session_views, views

app_name = "online"

urlpatterns = [
    path("sign/", views.my_signing, name="my_signing"),
    path("sign/<str:token>/", views.sign, name="sign"),
    path("sign/<str:token>/agreement.pdf", views.sign_pdf, name="sign_pdf"),
    path("sign/<str:token>/signed.pdf", views.party_stamped_pdf, name="party_stamped_pdf"),
    path("verify/", views.verify, name="verify"),
    path("cases/<int:pk>/invite/", views.invite, name="invite"),
    path("cases/<int:pk>/signed-agreement.pdf", views.staff_stamped_pdf, name="staff_stamped_pdf"),
    # Online sessions: the mediator's side under the case, the party's side under their link.
    path("cases/<int:pk>/sessions/", session_views.case_sessions, name="case_sessions"),
    path("cases/<int:pk>/sessions/new/", session_views.schedule, name="schedule"),
    path("cases/<int:pk>/sessions/<int:session_pk>/", session_views.staff_session, name="staff_session"),
    path("cases/<int:pk>/sessions/<int:session_pk>/post/", session_views.staff_post, name="staff_post"),
    path("cases/<int:pk>/sessions/<int:session_pk>/invite/", session_views.staff_invite, name="staff_invite"),
    path("cases/<int:pk>/sessions/<int:session_pk>/times/", session_views.staff_times, name="staff_times"),
    path("cases/<int:pk>/sessions/<int:session_pk>/close/", session_views.staff_close, name="staff_close"),
    path("sessions/", session_views.my_sessions, name="my_sessions"),
    path("s/<str:token>/", session_views.party_session, name="party_session"),
    path("s/<str:token>/post/", session_views.party_post, name="party_post"),
    path("s/<str:token>/answer/<int:post_pk>/", session_views.party_answer, name="party_answer"),
    path("s/<str:token>/confirm/", session_views.party_confirm, name="party_confirm"),
]
