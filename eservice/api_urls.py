from django.urls import path

from eservice import api

urlpatterns = [
    path("eservice/cases/<int:pk>/services/", api.ServicesView.as_view(), name="api-eservice-services"),
    path(
        "eservice/cases/<int:pk>/paper-services/", api.PaperServiceView.as_view(), name="api-eservice-paper"
    ),
    path("eservice/cases/<int:pk>/consents/", api.ConsentView.as_view(), name="api-eservice-consents"),
]
