from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("queue/", views.mediator_queue, name="queue"),
    path("queue/unassigned/", views.assign_queue, name="assign_queue"),
    path("queue/assign/", views.bulk_assign, name="bulk_assign"),
    path("summonses/", views.liaison_queue, name="liaison_queue"),
    path("summonses/overdue/", views.overdue_summonses, name="overdue_summonses"),
    path("summonses/<int:pk>/", views.summons_detail, name="summons_detail"),
    path("summonses/<int:pk>/accept/", views.summons_accept, name="summons_accept"),
    path("summonses/<int:pk>/decline/", views.summons_decline, name="summons_decline"),
    path("summonses/<int:pk>/action/", views.summons_action, name="summons_action"),
    path("cases/<int:pk>/route/", views.route_case, name="route_case"),
    path("cases/<int:pk>/claim/", views.claim_case, name="claim"),
    path("cases/<int:pk>/assign/", views.assign_mediator, name="assign"),
    path("cases/<int:pk>/recuse/", views.recuse, name="recuse"),
    path("cases/<int:pk>/transfer/", views.transfer_case, name="transfer"),
    path("cases/<int:pk>/summon/", views.summon, name="summon"),
    path("cases/<int:pk>/grant/", views.grant_access, name="grant"),
    path("cases/<int:pk>/grant/<int:user_id>/revoke/", views.revoke_access, name="revoke_grant"),
]
