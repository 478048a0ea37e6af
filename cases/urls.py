from django.urls import include, path

from cases.views import core

app_name = "cases"

urlpatterns = [
    path("", core.case_list, name="list"),
    path("<int:pk>/", core.case_detail, name="detail"),
    path("", include("cases.urls_intake")),
    path("", include("cases.urls_warnings")),
    path("", include("cases.urls_lifecycle")),
]
