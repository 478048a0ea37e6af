"""URLs of the citizen portal (/portal/) and its staff side (/portal/staff/)."""

from django.urls import include, path

from cases.portal import staff_views as portal_staff
from cases.portal import views as portal

staff_patterns = [
    path("consultations/", portal_staff.consultations, name="staff_consultations"),
    path("consultations/<str:token>/answer/", portal_staff.answer, name="staff_answer"),
    path("counter/", portal_staff.counter, name="staff_counter"),
    path("appointments/<str:token>/attended/", portal_staff.attended, name="staff_attended"),
    path("home-visits/<str:token>/", portal_staff.home_visit_update, name="staff_home_visit_update"),
    path("cases/<int:pk>/messages/", portal_staff.case_message, name="staff_case_message"),
    path(
        "cases/<int:pk>/parties/<int:party_pk>/verify-identity/",
        portal_staff.verify_identity,
        name="staff_verify_identity",
    ),
    path("ratings/", portal_staff.ratings, name="staff_ratings"),
    path("ratings/<int:pk>/follow-up/", portal_staff.follow_up, name="staff_follow_up"),
]

app_name = "portal"

urlpatterns = [
    path("", portal.index, name="index"),
    path("status/", portal.status, name="status"),
    path("documents/<str:token>/", portal.document, name="document"),
    path("sign-in/", portal.sign_in, name="sign_in"),
    path("sign-out/", portal.sign_out, name="sign_out"),
    path("me/", portal.my_cases, name="my_cases"),
    path("apply/", portal.apply, name="apply"),
    path("apply/preview/", portal.apply_preview, name="apply_preview"),
    path("cases/<str:tracking_code>/", portal.case_page, name="case"),
    path("cases/<str:tracking_code>/submitted/", portal.applied, name="applied"),
    path("cases/<str:tracking_code>/messages/", portal.case_message, name="case_message"),
    path("cases/<str:tracking_code>/rating/", portal.case_rate, name="case_rate"),
    path("files/<str:token>/", portal.attachment, name="attachment"),
    path("consultations/", portal.consultations, name="consultations"),
    path("consultations/<str:token>/", portal.consultation, name="consultation"),
    path("appointments/", portal.appointments, name="appointments"),
    path("appointments/book/", portal.book, name="book"),
    path("appointments/<str:token>/cancel/", portal.cancel, name="cancel"),
    path("home-visit/", portal.home_visit, name="home_visit"),
    path("home-visit/<str:token>/cancel/", portal.cancel_home_visit, name="cancel_home_visit"),
    path("staff/", include(staff_patterns)),
]
