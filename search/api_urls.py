from django.urls import path

from . import api

urlpatterns = [
    path("cases/search/", api.CaseSearchView.as_view(), name="api-case-search"),
    path("cases/<int:pk>/similar/", api.SimilarCasesView.as_view(), name="api-case-similar"),
]
