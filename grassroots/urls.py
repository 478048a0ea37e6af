from django.urls import path

from . import views

app_name = "grassroots"

urlpatterns = [
    path("new/", views.entry_new, name="entry_new"),
    path("mine/", views.mine, name="mine"),
    path("risks/", views.risk_list, name="risk_list"),
    path("risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/photos/<str:token>/", views.risk_photo, name="risk_photo"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("resolution/", views.resolution, name="resolution"),
    path("resolution/cases/", views.resolution_cases, name="resolution_cases"),
    path("resolution/export/", views.resolution_export, name="resolution_export"),
]
