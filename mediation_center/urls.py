from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

admin.site.site_header = "矛调中心 · 系统配置"
admin.site.site_title = "矛调中心"

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("mediation_center.api_urls")),
    path("cases/", include("cases.urls")),
    path("routing/", include("routing.urls")),
    path("portal/", include("cases.portal.urls")),
    path("records/", include("records.urls")),
    path("mediators/", include("mediators.urls")),
    path("grassroots/", include("grassroots.urls")),
    path("risk/", include("risk.urls")),
    path("search/", include("search.urls")),
    path("online/", include("online.urls")),
    path("eservice/", include("eservice.urls")),  # staff
    path("portal/service/", include("eservice.portal_urls")),  # the party's side, under the portal
    path("courtlink/", include("courtlink.urls")),
]

# JSON in the one error shape for paths under /api/, Django's pages elsewhere (mediation_center/api.py).
handler400 = "mediation_center.api.bad_request"
handler403 = "mediation_center.api.permission_denied"
handler404 = "mediation_center.api.page_not_found"
handler500 = "mediation_center.api.server_error"
