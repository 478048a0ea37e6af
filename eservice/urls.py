"""Staff pages of electronic service (/eservice/): the case page's service board and its forms."""

from django.urls import path

from eservice import views

app_name = "eservice"

urlpatterns = [
    path("cases/<int:pk>/", views.board, name="board"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/serve/", views.serve, name="serve"),
    path("cases/<int:pk>/paper/", views.paper, name="paper"),
]
