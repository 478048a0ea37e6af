"""URLs of online signing (/online/)."""

from django.urls import path

from online import views

app_name = "online"

urlpatterns = [
    path("sign/", views.my_signing, name="my_signing"),
    path("sign/<str:token>/", views.sign, name="sign"),
    path("sign/<str:token>/agreement.pdf", views.sign_pdf, name="sign_pdf"),
    path("sign/<str:token>/signed.pdf", views.party_stamped_pdf, name="party_stamped_pdf"),
    path("verify/", views.verify, name="verify"),
    path("cases/<int:pk>/invite/", views.invite, name="invite"),
    path("cases/<int:pk>/signed-agreement.pdf", views.staff_stamped_pdf, name="staff_stamped_pdf"),
]
