from django.urls import path

from cases.portal import api

urlpatterns = [
    path("portal/centers/", api.PortalCentersView.as_view(), name="api-portal-centers"),
    path("portal/privacy-notice/", api.PrivacyNoticeView.as_view(), name="api-portal-privacy-notice"),
]
