"""The project's URLs plus the bench views; used only with bench.settings (BENCH_VIEWS=True)."""

from django.conf import settings
from django.urls import path

from mediation_center.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = list(project_urlpatterns)
if getattr(settings, "BENCH_VIEWS", False):
    urlpatterns.append(path("bench/one-row/<int:pk>/", views.one_row, name="bench-one-row"))
