"""Counter intake pages; included from cases/urls.py inside the ``cases`` namespace."""

from django.urls import path

from cases.intake import views as intake

urlpatterns = [
    path("intake/", intake.intake_list, name="intake-list"),
    path("intake/new/", intake.register, name="intake-register"),
    path("intake/lookup/", intake.lookup, name="intake-lookup"),
    path("intake/<int:pk>/done/", intake.registered, name="intake-registered"),
    path("intake/<int:pk>/link/", intake.link, name="intake-link"),
    path("intake/<int:pk>/accept/", intake.accept, name="intake-accept"),
    path("intake/<int:pk>/refuse/", intake.refuse, name="intake-refuse"),
    path("<int:pk>/attachments/", intake.upload_attachments, name="attachment-upload"),
    path("<int:pk>/attachments/<str:token>/", intake.download_attachment, name="attachment-download"),
]
