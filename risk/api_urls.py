from django.urls import path

from risk import api

urlpatterns = [
    path("signals/", api.SignalListView.as_view(), name="api-risk-signal-list"),
    path("signals/<int:pk>/", api.SignalDetailView.as_view(), name="api-risk-signal-detail"),
    path("signals/<int:pk>/acknowledge/", api.AcknowledgeView.as_view(), name="api-risk-signal-acknowledge"),
    path("signals/<int:pk>/assign/", api.AssignView.as_view(), name="api-risk-signal-assign"),
    path("signals/<int:pk>/conference/", api.ConferenceView.as_view(), name="api-risk-signal-conference"),
    path("signals/<int:pk>/tasks/", api.TaskView.as_view(), name="api-risk-signal-tasks"),
    path("signals/<int:pk>/tasks/<int:task_pk>/done/", api.TaskDoneView.as_view(), name="api-risk-task-done"),
    path("signals/<int:pk>/close/", api.CloseView.as_view(), name="api-risk-signal-close"),
]
