from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import roles_of
from accounts.models import Membership

from .access import get_archived_case_for_user, may_search_archive, search_archive
from .integrity import verify
from .retention import archive_root


@login_required
@require_GET
def integrity(request):
    """The hash chains checked now (records/integrity.py): administrators only, 404 for everyone else."""
    if not roles_of(request.user).has(Membership.Role.ADMIN):
        raise Http404
    return render(request, "records/integrity.html", {"report": verify()})


@login_required
@require_GET
def archive(request):
    """Closed cases moved to the archive, found by number, tracking code or party name."""
    if not may_search_archive(request.user):
        raise Http404
    q = request.GET.get("q", "")[:100]
    page = Paginator(search_archive(request.user, q), 30).get_page(request.GET.get("page"))
    return render(request, "records/archive.html", {"page": page, "q": q})


@login_required
@require_GET
def archived_case_file(request, pk: int):
    """The case file (卷宗) as it was printed when the case was archived."""
    archived = get_archived_case_for_user(request.user, pk)
    path = archive_root() / archived.folder / "卷宗.pdf"
    if not path.exists():
        raise Http404("卷宗文件缺失，请从备份恢复归档目录。")
    return FileResponse(
        path.open("rb"), content_type="application/pdf", filename=f"{archived.case_number}-卷宗.pdf"
    )
