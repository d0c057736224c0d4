"""The admin site at /admin: sqladmin inside the Litestar app, for staff users only."""

from haztrak.entrypoints.http.admin.site import ADMIN_PATH, VIEWS, admin_mount

__all__ = ["ADMIN_PATH", "VIEWS", "admin_mount"]
