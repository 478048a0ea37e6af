import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import SecurityAuditEvent
from .services import record_security_event

SESSION_KEY = "last_activity"


def touch_interval() -> float:
    """How stale the recorded last activity may get: sessions are database rows, and recording every
    request would write the row on every request. A tenth of the timeout, at most a minute, keeps the
    timeout that close to exact."""
    return min(60.0, settings.SESSION_IDLE_TIMEOUT / 10)


class IdleTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                record_security_event(SecurityAuditEvent.Type.IDLE_LOGOUT, request=request, user=user)
                request._idle_logout = True
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("您已闲置超时，请重新登录。"))
                login_url = "portal:sign_in" if user.kind == user.Kind.CITIZEN else settings.LOGIN_URL
                return redirect(f"{resolve_url(login_url)}?{urlencode({'next': request.path})}")
            if last is None or now - last >= touch_interval():
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class ChineseByDefaultMiddleware:
    """Chinese unless the user picked English with the switch: the browser's Accept-Language is ignored.

    Staff PCs and citizens' phones often report English; the center's working language is Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
