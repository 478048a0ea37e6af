"""Warning pages, included from cases/urls.py (names live in the "cases" namespace)."""

from django.urls import path

from cases.warnings import views

urlpatterns = [
    path("warnings/", views.dashboard, name="warnings_dashboard"),
    path("warnings/live/", views.dashboard_live, name="warnings_dashboard_live"),
    path("warnings/export.xlsx", views.dashboard_export, name="warnings_export"),
    path("warnings/notifications/", views.notifications, name="warnings_notifications"),
    path("warnings/notifications/read/", views.notifications_read, name="warnings_notifications_read"),
    path("warnings/orders/<int:order_pk>/acknowledge/", views.acknowledge_order, name="warnings_order_ack"),
    path("warnings/orders/<int:order_pk>/report/", views.report_order, name="warnings_order_report"),
    path("<int:pk>/warnings/", views.case_warnings, name="warnings_case"),
    path("<int:pk>/warnings/orders/", views.issue_order, name="warnings_issue_order"),
    path("<int:pk>/warnings/conferences/", views.record_conference, name="warnings_conference"),
    path("<int:pk>/warnings/raise/", views.raise_level, name="warnings_raise"),
    path("<int:pk>/warnings/clocks/<int:clock_pk>/pause/", views.pause_clock, name="warnings_clock_pause"),
    path("<int:pk>/warnings/clocks/<int:clock_pk>/resume/", views.resume_clock, name="warnings_clock_resume"),
    path("<int:pk>/warnings/clocks/<int:clock_pk>/extend/", views.extend_clock, name="warnings_clock_extend"),
]
