"""Staff pages of search, under /search/ (namespace ``search``); the result page itself answers at
/cases/search/ (cases:search, which calls settings.CASE_SEARCH_VIEW)."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("similar/<int:pk>/", views.similar_section, name="similar"),
]
