"""The online application's privacy consent, preview step and kept files (issue 16 item 4)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.models import Case, TimelineEvent
from cases.portal import drafts, privacy
from cases.portal.models import ApplicationConsent
from tests.portal.test_online_application import PREVIEW, URL, form_data

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pdf(name="欠条.pdf", body=b"%PDF-1.4 evidence"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_the_notice_text_is_pinned_to_its_version():
    # Change a word of the notice and this fails: give the new text a new NOTICE_VERSION, then update both.
    assert privacy.NOTICE_VERSION == "2026-12-01"
    assert privacy.notice_sha256() == "987dc5cc4db4ff3ae857720f77ac145d5f5ae640381d25cd67d5d942a948a9ff"
    text = privacy.notice_text()
    for words in ["为什么处理", "谁能看到", "保存多久", "撤回同意", "24 小时后删除"]:
        assert words in text


@pytest.mark.django_db
def test_the_form_shows_the_notice_and_refuses_to_go_on_without_consent(login, world, citizen):
    client = login(citizen)
    page = client.get(URL).content.decode()
    assert "个人信息处理告知" in page and "保存多久" in page and "谁能看到" in page and "2026-12-01" in page
    data = form_data(world)
    del data["privacy_consent"]
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "请阅读个人信息处理告知并勾选同意后再继续" in html
    assert 'value="王小明"' in html  # what was typed stays
    no_preview = client.get(PREVIEW)  # without consent the form comes back, not the preview
    assert no_preview.status_code == 200 and "确认提交" not in no_preview.content.decode()
    assert "请阅读个人信息处理告知并勾选同意后再继续" in no_preview.content.decode()
    assert client.post(PREVIEW).status_code == 200 and not Case.objects.exists()


@pytest.mark.django_db
def test_consent_is_recorded_with_version_digest_and_time_on_the_application_and_timeline(
    login, world, citizen
):
    ticked = datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    client = login(citizen)
    with time_machine.travel(ticked, tick=False):
        assert client.post(URL, form_data(world))["Location"] == PREVIEW
    with time_machine.travel(ticked + timedelta(minutes=4), tick=False):
        preview = client.get(PREVIEW).content.decode()
        assert "您已于 2026-12-01 09:30 同意《个人信息处理告知》（版本 2026-12-01）" in preview
        assert client.post(PREVIEW).status_code == 302
    case = Case.objects.get()
    consent = ApplicationConsent.objects.get(case=case)
    assert consent.citizen == citizen and consent.notice_version == "2026-12-01"
    assert consent.notice_sha256 == privacy.notice_sha256()
    assert consent.consented_at == ticked
    assert consent.submitted_at == ticked + timedelta(minutes=4)
    event = TimelineEvent.objects.get(case=case, type="submitted")
    recorded = event.data["consent"]
    assert recorded["version"] == "2026-12-01" and recorded["sha256"] == privacy.notice_sha256()
    assert datetime.fromisoformat(recorded["at"]) == ticked


@pytest.mark.django_db
def test_preview_shows_what_will_be_sent_and_going_back_loses_nothing(login, world, citizen):
    client = login(citizen)
    client.post(URL, {**form_data(world), "files": [pdf(), pdf("现场照片.jpg", b"\xff\xd8jpeg")]})
    preview = client.get(PREVIEW).content.decode()
    for shown in [
        "王小明",
        "某建筑公司",
        "公司拖欠三个月工资共 1.2 万元。",
        "测试县矛调中心",
        "欠条.pdf",
        "现场照片.jpg",
    ]:
        assert shown in preview
    assert "110105********002X" in preview and "11010519491231002X" not in preview  # masked, as everywhere
    assert not Case.objects.exists()

    # 返回修改: every value and both files are still there
    edit = client.get(URL).content.decode()
    assert 'value="王小明"' in edit and "公司拖欠三个月工资共 1.2 万元。</textarea>" in edit
    assert edit.count('name="keep_files"') == 2 and "欠条.pdf" in edit and "现场照片.jpg" in edit
    assert 'name="privacy_consent" id="id_privacy_consent" checked' in edit
    kept = drafts.Draft(type("R", (), {"session": client.session})()).files
    photo = next(f for f in kept if f.name == "现场照片.jpg")

    # change the claims, drop the photo, add a receipt
    changed = {**form_data(world, claims="支付拖欠工资 12000 元"), "keep_files": [photo.token]}
    changed["keep_files"] = [f.token for f in kept if f.name == "欠条.pdf"]
    assert client.post(URL, {**changed, "files": [pdf("工资条.pdf")]})["Location"] == PREVIEW
    preview = client.get(PREVIEW).content.decode()
    assert "支付拖欠工资 12000 元" in preview and "工资条.pdf" in preview and "现场照片.jpg" not in preview
    assert not drafts.storage().exists(photo.path)  # the dropped file is gone at once

    assert client.post(PREVIEW).status_code == 302
    case = Case.objects.get()
    assert case.claims == "支付拖欠工资 12000 元"
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["工资条.pdf", "欠条.pdf"]
    assert case.attachments.get(original_name="欠条.pdf").file.read() == b"%PDF-1.4 evidence"
    # sent: the draft and its stored copies are gone, and a second confirm sends nothing twice
    assert not any(drafts.storage().exists(f.path) for f in kept)
    assert client.post(PREVIEW)["Location"] == URL and Case.objects.count() == 1


@pytest.mark.django_db
def test_files_chosen_with_a_mistake_elsewhere_are_kept(login, world, citizen):
    client = login(citizen)
    response = client.post(URL, {**form_data(world, summary=""), "files": [pdf()]})
    html = response.content.decode()
    assert response.status_code == 200 and "该字段是必填项" in html
    assert "已上传的证据材料" in html and "欠条.pdf" in html and 'name="keep_files"' in html
    assert "已填写的内容和已上传的文件都已保留" in html


@pytest.mark.django_db
def test_more_than_ten_files_in_all_are_refused(login, world, citizen):
    client = login(citizen)
    client.post(URL, {**form_data(world, summary=""), "files": [pdf(f"{n}.pdf") for n in range(8)]})
    kept = [f.token for f in drafts.Draft(type("R", (), {"session": client.session})()).files]
    response = client.post(
        URL, {**form_data(world), "keep_files": kept, "files": [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")]}
    )
    assert "证据材料合计最多 10 个，已保留 8 个，本次又选了 3 个。" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_notice_changed_before_sending_asks_for_consent_again(login, world, citizen, monkeypatch):
    client = login(citizen)
    client.post(URL, form_data(world))
    monkeypatch.setattr(privacy, "NOTICE_VERSION", "2027-01-01")
    response = client.post(PREVIEW, follow=True)
    assert "个人信息处理告知已更新，请重新阅读并勾选同意后再提交。" in response.content.decode()
    assert not Case.objects.exists() and not ApplicationConsent.objects.exists()


@pytest.mark.django_db
def test_drafts_not_sent_are_deleted_after_a_day(login, world, citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # only this test's drafts
    client = login(citizen)
    client.post(URL, {**form_data(world), "files": [pdf()]})
    (stored,) = drafts.Draft(type("R", (), {"session": client.session})()).files
    assert drafts.storage().exists(stored.path)
    assert drafts.purge_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert drafts.purge_stale() == 1
    assert not drafts.storage().exists(stored.path)


@pytest.mark.django_db
def test_the_preview_is_the_signed_in_citizens_own(login, world, citizen, other_citizen, clerk):
    login(citizen).post(URL, form_data(world))

    def as_user(user=None):
        other = Client()
        if user is not None:
            other.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return other

    other = as_user(other_citizen)
    assert other.get(PREVIEW)["Location"] == URL  # another session has no draft of its own
    assert "王小明" not in other.get(URL).content.decode()
    assert as_user().get(PREVIEW)["Location"].startswith("/portal/sign-in/")
    assert as_user(clerk).get(PREVIEW)["Location"].startswith("/portal/sign-in/")
    assert not Case.objects.exists()
