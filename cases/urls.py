"""Staff pages of cases, under /cases/ (namespace ``cases``): each sub-domain lists its own in ``urls.py``."""

from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("", include("cases.core.urls")),
    path("", include("cases.intake.urls")),
    path("", include("cases.warnings.urls")),
    path("", include("cases.lifecycle.urls")),
    path("", include("cases.documents.urls")),
    path("", include("cases.workbench.urls")),
]
