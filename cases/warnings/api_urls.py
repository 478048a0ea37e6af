from django.urls import path

from cases.warnings import api as api_warnings

urlpatterns = [
    path("warnings/dashboard/", api_warnings.DashboardView.as_view(), name="api-warnings-dashboard"),
    path("cases/<int:pk>/warnings/", api_warnings.CaseWarningsView.as_view(), name="api-case-warnings"),
    path(
        "cases/<int:pk>/supervision-orders/",
        api_warnings.SupervisionOrderCreateView.as_view(),
        name="api-case-supervision-orders",
    ),
]
