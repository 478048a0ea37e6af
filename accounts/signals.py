from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SecurityAuditEvent
from .services import record_security_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_security_event(SecurityAuditEvent.Type.LOGIN, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record_security_event(
        SecurityAuditEvent.Type.LOGIN_FAILED,
        request=request,
        username=credentials.get("username", ""),
        success=False,
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None and not getattr(request, "_idle_logout", False):
        record_security_event(SecurityAuditEvent.Type.LOGOUT, request=request, user=user)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_security_event(
        SecurityAuditEvent.Type.LOCKED_OUT, request=request, username=username or "", success=False
    )
