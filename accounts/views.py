import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mediation_center.redirects import safe_next

from .access import CURRENT_MEMBERSHIP_KEY, roles_of
from .forms import LoginForm
from .middleware import SESSION_KEY
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
    """The to-do list of each role the user holds. accounts knows no cases: the list comes from the app named by
    settings.HOME_TODO (cases.workbench), the badges' counts from the context processor it also provides."""
    roles = roles_of(request.user)
    context = {"memberships": roles.memberships, "sections": []}
    if roles.memberships:
        context["sections"] = import_string(settings.HOME_TODO)(request)
    return render(request, "accounts/home.html", context)


@login_required
@require_POST
def switch_center(request):
    """Choose the center whose work the badges and the home page show (one of the user's memberships)."""
    chosen = request.POST.get("membership", "")
    memberships = {str(m.pk): m for m in roles_of(request.user).memberships}
    if chosen == "":
        request.session.pop(CURRENT_MEMBERSHIP_KEY, None)
        messages.success(request, _("已切换为全部岗位。"))
    elif chosen in memberships:
        request.session[CURRENT_MEMBERSHIP_KEY] = memberships[chosen].pk
        messages.success(request, _("已切换到%(center)s。") % {"center": memberships[chosen].center.name})
    else:
        messages.error(request, _("无法切换到该岗位。"))
    return redirect(safe_next(request, "accounts:home"))


@login_required
@require_POST
def keep_alive(request):
    """继续办理: the idle warning's button records activity now, so the idle timeout starts again."""
    now = time.time()
    request.session[SESSION_KEY] = now
    return JsonResponse({"expires_in": settings.SESSION_IDLE_TIMEOUT})


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
