from django.urls import path

from . import api

urlpatterns = [
    path("records/archive/", api.ArchivedCaseListView.as_view(), name="api-archived-cases"),
]
