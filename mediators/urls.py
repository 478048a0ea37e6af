from django.urls import path

from . import views

app_name = "mediators"

urlpatterns = [
    path("", views.library, name="library"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("cases/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
    path("measures/", views.measures, name="measures"),
    path("measures/export.xlsx", views.measures_export, name="measures_export"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("directory/", views.directory, name="directory"),
    path("directory/choices/", views.application_choices, name="application_choices"),
    path("directory/mediators/<int:pk>/", views.public_profile, name="public_profile"),
    path("directory/mediators/<int:pk>/photo/", views.public_photo, name="public_photo"),
    path("directory/groups/<int:pk>/", views.public_group, name="public_group"),
    path("portal/cases/<str:tracking_code>/request/", views.party_request, name="party_request"),
]
