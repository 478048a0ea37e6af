"""Evidence uploads (limits as settings, private storage, access-checked download) and the receipt PDF."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Attachment, Case
from tests.cases.intake_helpers import intake_post


def upload(name="证据.pdf", content=b"%PDF-1.4 evidence", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_evidence_uploaded_with_the_registration(login, clerk):
    data = intake_post()
    data["evidence"] = [upload(), upload("照片.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")]
    login(clerk).post(reverse("cases:intake-register"), data)
    case = Case.objects.get()
    names = sorted(case.attachments.values_list("original_name", flat=True))
    assert names == ["照片.jpg", "证据.pdf"]
    assert case.events.get().data["attachments"] == 2
    stored = Path(case.attachments.first().file.path).resolve()
    # Stored under the private root, never under static files.
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())


def test_rejected_type_on_intake_says_why_and_saves_nothing(login, clerk):
    data = intake_post()
    data["evidence"] = [upload("病毒.exe", b"MZ", "application/octet-stream")]
    html = login(clerk).post(reverse("cases:intake-register"), data).content.decode()
    assert "“病毒.exe”的文件类型不允许上传" in html and ".pdf" in html
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_size_limit_is_a_setting(login, clerk, make_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    case = make_case()
    response = login(clerk).post(
        reverse("cases:attachment-upload", args=[case.pk]),
        {"files": [upload(content=b"x" * 11)]},
        follow=True,
    )
    html = response.content.decode()
    assert "上传被拒绝" in html and "过大" in html and "10\xa0字节" in html
    assert not case.attachments.exists()
    settings.ATTACHMENT_ALLOWED_TYPES = [".txt"]
    response = login(clerk).post(
        reverse("cases:attachment-upload", args=[case.pk]), {"files": [upload(content=b"x" * 5)]}, follow=True
    )
    assert "文件类型不允许上传" in response.content.decode()
    login(clerk).post(
        reverse("cases:attachment-upload", args=[case.pk]), {"files": [upload("说明.txt", b"hello")]}
    )
    assert list(case.attachments.values_list("original_name", flat=True)) == ["说明.txt"]


def test_upload_later_on_the_case_page_and_download(login, clerk, make_case, outsider):
    case = make_case()
    client = login(clerk)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:attachment-upload", args=[case.pk]) in page
    response = client.post(
        reverse("cases:attachment-upload", args=[case.pk]),
        {"files": [upload("../../etc/合同.pdf", b"%PDF contract")], "description": "借款合同"},
    )
    assert response.status_code == 302
    attachment = case.attachments.get()
    assert attachment.original_name == "合同.pdf" and attachment.uploaded_by == clerk
    assert case.events.first().type == "attachment_added"
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("cases:attachment-download", args=[case.pk, attachment.token])
    assert url in page and "借款合同" in page
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF contract"
    assert "attachment" in download["Content-Disposition"]
    assert login(outsider).get(url).status_code == 404
    assert login(clerk).get(reverse("cases:attachment-download", args=[case.pk, "nope"])).status_code == 404
    assert login(clerk).post(url).status_code == 405


def test_upload_on_a_case_the_user_may_only_read_is_forbidden(login, clerk, make_case, outsider):
    from cases.core import states
    from cases.models import Status

    case = make_case()
    states.move(case, Status.ROUTED)
    url = reverse("cases:attachment-upload", args=[case.pk])
    assert login(clerk).post(url, {"files": [upload()]}).status_code == 403
    assert login(outsider).post(url, {"files": [upload()]}).status_code == 404
    assert login(clerk).get(url).status_code == 405


def test_attachment_token_of_another_case_is_not_found(login, clerk, make_case):
    one, two = make_case(), make_case()
    login(clerk).post(reverse("cases:attachment-upload", args=[one.pk]), {"files": [upload()]})
    token = one.attachments.get().token
    assert login(clerk).get(reverse("cases:attachment-download", args=[two.pk, token])).status_code == 404


def test_receipt_pdf(login, clerk, make_case, world, settings):
    settings.PUBLIC_BASE_URL = "https://mediation.example.cn"
    world.county.phone = "0571-12345678"
    world.county.save()
    case = make_case()
    response = login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert case.number in compact and case.tracking_code in compact
    assert "受理回执" in compact and "测试县矛调中心" in compact and "0571-12345678" in compact
    assert "110105********002X" in compact and "11010519491231002X" not in compact
    assert "138****8000" in compact
    assert f"https://mediation.example.cn/portal/status/?code={case.tracking_code}" in compact
    # The labour-mediation clock started at registration is the headline deadline; the receipt names it.
    case.refresh_from_db()
    due = timezone.localtime(case.due_at).date()
    assert f"本案劳动争议调解期限至{due.year}年{due.month}月{due.day}日" in compact


@pytest.mark.django_db(transaction=True)
def test_receipt_is_rendered_outside_any_transaction(login, clerk, make_case, monkeypatch):
    import cases.documents.receipt as receipt

    seen = []
    real = receipt.render_pdf

    def spy(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(receipt, "render_pdf", spy)
    case = make_case()
    login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert seen == [False]


@pytest.mark.parametrize(("persona", "code"), [("clerk", 200), ("outsider", 404), ("foreign_clerk", 404)])
def test_receipt_access(request, login, make_case, persona, code):
    case = make_case()
    response = login(request.getfixturevalue(persona)).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert response.status_code == code


def test_receipt_is_get_only(login, clerk, make_case):
    assert login(clerk).post(reverse("cases:intake-receipt", args=[make_case().pk])).status_code == 405
