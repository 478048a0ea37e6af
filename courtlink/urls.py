"""URLs of the court hand-off (/courtlink/)."""

from django.urls import path

from courtlink import views

app_name = "courtlink"

urlpatterns = [
    path("", views.work_list, name="list"),
    path("cases/<int:pk>/section/", views.section, name="section"),
    path("cases/<int:pk>/prepare/", views.prepare, name="prepare"),
    path("cases/<int:pk>/handoffs/<int:handoff_pk>/progress/", views.progress, name="progress"),
    path("cases/<int:pk>/handoffs/<int:handoff_pk>/package.zip", views.download, name="download"),
    path("cases/<int:pk>/handoffs/<int:handoff_pk>/manifest.json", views.manifest, name="manifest"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:tracking_code>/prepare/", views.citizen_prepare, name="citizen_prepare"),
]
