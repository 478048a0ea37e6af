from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with the admin grouped by task (``mediation_center.admin_site``)."""

    default_site = "mediation_center.admin_site.MediationAdminSite"
