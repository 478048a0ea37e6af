from django.urls import path

from cases.lifecycle import views

urlpatterns = [
    path("follow-ups/overdue/", views.overdue_follow_ups, name="overdue_follow_ups"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<int:pk>/sessions/<int:session_pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/agreement/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreement/sign/", views.agreement_sign, name="agreement_sign"),
    path("<int:pk>/conclude/", views.conclude, name="conclude"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("<int:pk>/reviewer/", views.designate_reviewer, name="designate_reviewer"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/follow-ups/<int:visit_pk>/", views.follow_up, name="follow_up"),
]
