"""Staff downloads, one per document of the registry (``catalogue``: its path and URL name); included from
cases/urls.py inside the ``cases`` namespace, under /cases/<pk>/."""

from django.urls import path

from cases.documents import views
from cases.documents.registry import all_documents

urlpatterns = [
    path(f"<int:pk>/{document.path}", views.download, {"kind": document.kind}, name=document.url_name)
    for document in all_documents()
]
