"""Retention (issue 22 item 5): old closed cases move to the archive with their files, still findable and
printable; idle citizen accounts with no case are deleted; every run is logged; the chains stay intact."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import SecurityAuditEvent, User
from cases.core.models import Attachment, Case, TimelineEvent
from cases.intake.services import add_attachments
from cases.lifecycle.models import FollowUpVisit
from records.integrity import verify
from records.models import ArchivedCase, RetentionRun, TimelineSeal
from records.retention import run_retention
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = root
    settings.ARCHIVE_ROOT = root / "archive"
    settings.RETENTION_CASE_YEARS = 10
    return root


def _age(case, years):
    FollowUpVisit.objects.filter(case=case).update(visited_at=timezone.now())
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=365 * years + 5))


def test_an_old_closed_case_moves_to_the_archive_with_its_files(
    media, closed_case, clerk, supervisor, login, django_capture_on_commit_callbacks
):
    (attachment,) = add_attachments(
        closed_case, actor=clerk, files=[SimpleUploadedFile("借条.png", PNG, content_type="image/png")]
    )
    evidence = media / attachment.file.name
    assert evidence.exists()
    _age(closed_case, 11)
    events = TimelineEvent.objects.filter(case=closed_case).count()
    number, pk = closed_case.number, closed_case.pk

    with django_capture_on_commit_callbacks(execute=True):  # the originals go once the move has committed
        run = run_retention()

    assert run.cases_archived == 1 and run.detail["archived"] == [number]
    assert not Case.objects.filter(pk=pk).exists()
    assert not TimelineEvent.objects.filter(case_id=pk).exists()
    assert not TimelineSeal.objects.filter(case_id=pk).exists()
    assert not Attachment.objects.filter(case_id=pk).exists() and not evidence.exists()
    archived = ArchivedCase.objects.get(case_number=number)
    assert len(archived.snapshot["events"]) == events and archived.timeline_head
    assert "张三" in archived.party_names
    folder = media / "archive" / archived.folder
    assert (folder / "卷宗.pdf").read_bytes().startswith(b"%PDF")
    (copied,) = archived.snapshot["files"]
    assert (folder / "evidence" / copied["name"]).read_bytes() == PNG
    assert verify().ok  # the case's chain left with it; what remains is intact

    client = login(supervisor)
    page = client.get("/records/archive/", {"q": "张三"}).content.decode()
    assert number in page and "打印卷宗" in page
    pdf = client.get(f"/records/archive/{archived.pk}/case-file.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    api = client.get("/api/records/archive/", {"q": number}).json()
    assert [row["case_number"] for row in api["results"]] == [number]


def test_the_archive_is_for_the_supervisors_of_the_center(
    media, closed_case, clerk, foreign_clerk, login, outsider
):
    _age(closed_case, 11)
    run_retention()
    archived = ArchivedCase.objects.get()
    for user in (clerk, outsider):
        client = login(user)
        assert client.get("/records/archive/").status_code == 404
        assert client.get(f"/records/archive/{archived.pk}/case-file.pdf").status_code == 404
        assert client.get("/api/records/archive/").json()["results"] == []


def test_recent_cases_and_cases_with_a_visit_due_stay(media, closed_case, settings):
    Case.objects.filter(pk=closed_case.pk).update(closed_at=timezone.now() - timedelta(days=365 * 11))
    assert FollowUpVisit.objects.filter(case=closed_case, visited_at__isnull=True).exists()
    assert run_retention().cases_archived == 0  # a follow-up visit still due
    FollowUpVisit.objects.filter(case=closed_case).update(visited_at=timezone.now())
    settings.RETENTION_CASE_YEARS = 12
    assert run_retention().cases_archived == 0  # not old enough
    settings.RETENTION_CASE_YEARS = 0
    assert run_retention().cases_archived == 0  # switched off
    assert Case.objects.filter(pk=closed_case.pk).exists()


def test_a_dry_run_changes_nothing_but_is_logged(media, closed_case):
    _age(closed_case, 11)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert closed_case.number in out.getvalue()
    assert Case.objects.filter(pk=closed_case.pk).exists() and not ArchivedCase.objects.exists()
    run = RetentionRun.objects.get()
    assert run.dry_run and run.cases_archived == 1


def test_idle_citizen_accounts_with_no_case_are_deleted(settings, make_case):
    settings.RETENTION_CITIZEN_DAYS = 365
    long_ago = timezone.now() - timedelta(days=400)
    idle = UserFactory(username="idle", kind=User.Kind.CITIZEN, phone="13700001111")
    party = UserFactory(username="party", kind=User.Kind.CITIZEN, phone="13800138000")
    recent = UserFactory(username="recent", kind=User.Kind.CITIZEN, phone="13700002222")
    make_case()  # 张三's phone 13800138000 is the citizen "party"'s
    User.objects.filter(pk__in=[idle.pk, party.pk]).update(last_login=long_ago, date_joined=long_ago)
    User.objects.filter(pk=recent.pk).update(date_joined=long_ago, last_login=timezone.now())
    SecurityAuditEvent.objects.create(type="login", user=idle, username="idle")

    run = run_retention()

    assert run.citizens_deleted == 1
    assert set(User.objects.filter(kind=User.Kind.CITIZEN).values_list("username", flat=True)) == {
        "party",
        "recent",
    }
    audit = SecurityAuditEvent.objects.get(username="idle")
    assert audit.user_id is None  # the audit keeps who it was, by name
    assert verify().ok
