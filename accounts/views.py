from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mediation_center.redirects import safe_next

from .access import roles_of
from .forms import LoginForm
from .models import Membership, SecurityAuditEvent


class SafeNextMixin:
    """Django's own check, through the project's one helper so that every ``next`` is read the same way."""

    def get_redirect_url(self):
        return safe_next(self.request, "", field=self.redirect_field_name)


class LoginView(SafeNextMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
@require_GET
def home(request):
    roles = roles_of(request.user)
    return render(request, "accounts/home.html", {"memberships": roles.memberships})


@login_required
@require_GET
def audit_log(request):
    if not roles_of(request.user).has(Membership.Role.ADMIN):
        raise PermissionDenied
    events = SecurityAuditEvent.objects.select_related("user")
    event_type = request.GET.get("type", "")
    if event_type:
        events = events.filter(type=event_type)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "types": SecurityAuditEvent.Type.choices, "event_type": event_type},
    )
