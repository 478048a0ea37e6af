from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("workbench/badges/", views.badges, name="work_badges"),
]
