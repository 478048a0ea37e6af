from django.urls import path

from cases.core import views

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/parties/<int:party_pk>/reveal/", views.reveal_contact, name="reveal_contact"),
    path("reveals/", views.reveals, name="reveals"),
]
