import time

from django.conf import settings

from .middleware import SESSION_KEY, touch_interval
from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    context = {"nav_items": items_for(user)}
    if user.is_authenticated and hasattr(request, "session"):
        # What the idle warning (static/js/idle.js) counts down from: the activity the middleware recorded.
        last = request.session.get(SESSION_KEY) or time.time()
        timeout = settings.SESSION_IDLE_TIMEOUT
        context |= {
            "idle_timeout": timeout,
            "idle_left": max(0, int(timeout - (time.time() - last))),
            "idle_slack": int(touch_interval()),
        }
    return context
