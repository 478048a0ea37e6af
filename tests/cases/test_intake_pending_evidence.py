"""Evidence chosen on the counter form survives 查重 and validation errors (issue 15, item 7): each file is kept
server-side at once, for this clerk's session and this form's draft key, shown as 已选择的文件 with a remove
button, and attached to the case when the registration is saved."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.intake import pending
from cases.models import Attachment, Case
from tests.cases.intake_helpers import intake_post

URL = "cases:intake-register"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT = tmp_path


def upload(name="证据.pdf", content=b"%PDF-1.4 evidence", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _draft_key(html: str) -> str:
    return re.search(r'name="draft_key" value="([^"]+)"', html).group(1)


def _listed(html: str) -> str:
    """The 已选择的文件 list as shown."""
    start = html.index('data-testid="pending-files"')
    return html[start : html.index("</ul>", start)]


def _pending(html: str) -> list[str]:
    return re.findall(r'data-pending="([^"]+)"', html)


def _stored() -> list[str]:
    try:
        return default_storage.listdir(pending.FOLDER)[1]
    except FileNotFoundError:
        return []


def test_files_survive_the_repeat_check_and_are_attached_on_save(login, clerk):
    client = login(clerk)
    key = _draft_key(client.get(reverse(URL)).content.decode())
    data = {**intake_post(), "draft_key": key, "check": "1"}
    data.pop("save")
    html = client.post(
        reverse(URL), {**data, "evidence": [upload(), upload("照片.jpg", b"\xff\xd8 jpg", "image/jpeg")]}
    ).content.decode()
    assert not Case.objects.exists()
    listed = _listed(html)
    assert "已选择的文件" in listed and "证据.pdf" in listed and "照片.jpg" in listed
    assert len(_pending(html)) == 2 and _draft_key(html) == key
    # Saved without choosing them again: the case has both, with their content.
    save = {**intake_post(), "draft_key": key}
    response = client.post(reverse(URL), save)
    assert response.status_code == 302
    case = Case.objects.get()
    files = {a.original_name: a for a in case.attachments.all()}
    assert sorted(files) == ["照片.jpg", "证据.pdf"]
    with files["证据.pdf"].file.open("rb") as f:
        assert f.read() == b"%PDF-1.4 evidence"
    assert case.events.get().data["attachments"] == 2
    assert _stored() == []  # the kept copies are gone: the case holds its own
    assert "已选择的文件" not in client.get(reverse(URL)).content.decode()


def test_files_survive_a_validation_error_and_new_ones_add_to_them(login, clerk):
    client = login(clerk)
    key = _draft_key(client.get(reverse(URL)).content.decode())
    bad = {**intake_post(summary=""), "draft_key": key, "evidence": [upload()]}
    html = client.post(reverse(URL), bad).content.decode()
    assert "登记信息有误" in html and not Case.objects.exists()
    assert "证据.pdf" in _listed(html)
    good = {**intake_post(), "draft_key": key, "evidence": [upload("录音.mp3", b"ID3 audio", "audio/mpeg")]}
    client.post(reverse(URL), good)
    names = sorted(Case.objects.get().attachments.values_list("original_name", flat=True))
    assert names == ["录音.mp3", "证据.pdf"]


def test_a_chosen_file_can_be_removed(login, clerk):
    client = login(clerk)
    key = _draft_key(client.get(reverse(URL)).content.decode())
    data = {**intake_post(), "draft_key": key, "check": "1", "evidence": [upload(), upload("合同.pdf")]}
    data.pop("save")
    html = client.post(reverse(URL), data).content.decode()
    tokens = _pending(html)
    assert len(tokens) == 2 and len(_stored()) == 2
    removal = {**intake_post(), "draft_key": key, "remove_pending": tokens[0]}
    removal.pop("save")
    html = client.post(reverse(URL), removal).content.decode()
    assert _pending(html) == [tokens[1]] and len(_stored()) == 1
    assert "登记信息有误" not in html and not Case.objects.exists()
    client.post(reverse(URL), {**intake_post(), "draft_key": key})
    assert list(Case.objects.get().attachments.values_list("original_name", flat=True)) == ["合同.pdf"]


def test_a_refused_file_is_not_kept_and_the_form_says_why(login, clerk):
    client = login(clerk)
    key = _draft_key(client.get(reverse(URL)).content.decode())
    data = {
        **intake_post(),
        "draft_key": key,
        "evidence": [upload("病毒.exe", b"MZ", "application/octet-stream"), upload()],
    }
    html = client.post(reverse(URL), data).content.decode()
    assert "“病毒.exe”的文件类型不允许上传" in html
    assert not Case.objects.exists() and not Attachment.objects.exists()
    listed = _listed(html)
    assert "证据.pdf" in listed and "病毒.exe" not in listed  # the good one is kept for the next try


def test_another_session_or_form_cannot_use_the_kept_files(login, clerk):
    first = login(clerk)
    key = _draft_key(first.get(reverse(URL)).content.decode())
    data = {**intake_post(), "draft_key": key, "check": "1", "evidence": [upload()]}
    data.pop("save")
    first.post(reverse(URL), data)
    # The same clerk in another browser (another session) sends this draft key: nothing of it is attached.
    second = Client()
    second.force_login(clerk)
    second.post(reverse(URL), {**intake_post(), "draft_key": key})
    assert not Case.objects.get().attachments.exists()
    # Another form of the same session (a new draft key) does not show or take them either.
    other_key = _draft_key(first.get(reverse(URL)).content.decode())
    assert other_key != key
    assert "已选择的文件" not in first.get(reverse(URL)).content.decode()
