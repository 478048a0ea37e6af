from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with the admin grouped by task (``mediation_center.admin_site``)."""

    default_site = "mediation_center.admin_site.MediationAdminSite"

    def ready(self):
        super().ready()
        # The project's first app: Django's per-request state in plain context variables from here on.
        from mediation_center import fast_locals

        fast_locals.install()
