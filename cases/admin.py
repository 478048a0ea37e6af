from cases import admin_warnings  # noqa: F401
