"""Admin registrations for cases, one module per sub-domain."""

from . import admin_portal  # noqa: F401
