from django.urls import include, path

from cases.core import views as core

app_name = "cases"

urlpatterns = [
    path("", core.case_list, name="list"),
    path("<int:pk>/", core.case_detail, name="detail"),
    path("", include("cases.intake.urls")),
    path("", include("cases.warnings.urls")),
    path("", include("cases.lifecycle.urls")),
]
