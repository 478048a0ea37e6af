from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts.models import User


@require_GET
def index(request):
    if request.user.is_authenticated:
        # A citizen's home is the portal's 我的案件, not the staff workbench.
        if request.user.kind == User.Kind.CITIZEN:
            return redirect("portal:my_cases")
        return redirect("accounts:home")
    return redirect("accounts:login")


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
