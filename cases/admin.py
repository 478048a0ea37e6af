"""The app's admin: each sub-domain registers its own models in its ``admin.py``."""

from cases.core import admin as core_admin  # noqa: F401
from cases.intake import admin as intake_admin  # noqa: F401
from cases.integrations import admin as integrations_admin  # noqa: F401
from cases.portal import admin as portal_admin  # noqa: F401
from cases.warnings import admin as warnings_admin  # noqa: F401
