"""The party's side of electronic service, under the portal (/portal/service/): their consents and the
documents served to them, and the SMS link. Public URLs carry tracking codes or signed tokens, no ids."""

from django.urls import path

from eservice import portal_views

app_name = "eservice_portal"

urlpatterns = [
    path("", portal_views.my_services, name="mine"),
    path("consent/<str:tracking_code>/", portal_views.consent, name="consent"),
    path("d/<str:token>/", portal_views.open_document, name="open"),
    path("d/<str:token>/document.pdf", portal_views.document_pdf, name="pdf"),
]
