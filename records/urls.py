from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("integrity/", views.integrity, name="integrity"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/case-file.pdf", views.archived_case_file, name="archived_case_file"),
]
