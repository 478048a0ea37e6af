"""Domain errors raised by services; views and the API turn them into messages and responses."""

from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

# What an unreachable cache raises: redis-py's errors, or the OS's for a socket or the file cache.
CACHE_DOWN = (RedisError, OSError)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The API's one error shape: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


class DomainError(Exception):
    """A business rule refused the action. ``message`` is translatable and shown to the user."""

    code = "domain_error"
    http_status = 409
    default_message = _("该操作不被允许。")

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(str(self.message))


class IllegalTransition(DomainError):
    code = "illegal_transition"
    default_message = _("当前状态下不能进行此操作。")


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403
    default_message = _("您无权进行此操作。")
