import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediation_center.settings")

app = Celery("mediation_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The warning sweep and its e-mail task live beside the service they serve (cases/warnings/tasks.py).
app.autodiscover_tasks(["cases.warnings"])
app.autodiscover_tasks(["cases.integrations"])  # outbound events to external systems
