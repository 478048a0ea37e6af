from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import roles_of
from accounts.models import Membership

from .integrity import verify


@login_required
@require_GET
def integrity(request):
    """The hash chains checked now (records/integrity.py): administrators only, 404 for everyone else."""
    if not roles_of(request.user).has(Membership.Role.ADMIN):
        raise Http404
    return render(request, "records/integrity.html", {"report": verify()})
