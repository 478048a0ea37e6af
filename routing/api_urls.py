from django.urls import path

from . import api

urlpatterns = [
    path("routing/queue/", api.QueueView.as_view(), name="api-routing-queue"),
    path("cases/<int:pk>/route/", api.RouteView.as_view(), name="api-case-route"),
    path("cases/<int:pk>/claim/", api.ClaimView.as_view(), name="api-case-claim"),
    path("cases/<int:pk>/assignments/", api.AssignmentsView.as_view(), name="api-case-assignments"),
    path("cases/<int:pk>/transfer/", api.TransferView.as_view(), name="api-case-transfer"),
    path("cases/<int:pk>/summonses/", api.CaseSummonsesView.as_view(), name="api-case-summonses"),
    path("summonses/", api.LiaisonQueueView.as_view(), name="api-summons-list"),
    path("summonses/<int:pk>/", api.SummonsDetailView.as_view(), name="api-summons-detail"),
    path("summonses/<int:pk>/accept/", api.SummonsAcceptView.as_view(), name="api-summons-accept"),
    path("summonses/<int:pk>/decline/", api.SummonsDeclineView.as_view(), name="api-summons-decline"),
    path("summonses/<int:pk>/action/", api.SummonsActionView.as_view(), name="api-summons-action"),
]
