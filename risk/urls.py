from django.urls import path

from risk import views

app_name = "risk"

urlpatterns = [
    path("", views.board_page, name="board"),
    path("export/", views.board_export, name="export"),
    path("cases/", views.cases, name="cases"),
    path("signals/<int:pk>/", views.signal_detail, name="signal"),
    path("signals/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("signals/<int:pk>/assign/", views.assign, name="assign"),
    path("signals/<int:pk>/conference/", views.conference, name="conference"),
    path("signals/<int:pk>/tasks/", views.add_task, name="add_task"),
    path("signals/<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("signals/<int:pk>/close/", views.close, name="close"),
]
