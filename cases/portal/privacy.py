"""个人信息处理告知 (个人信息保护法 art. 14, 17): what an online applicant is told before sending, and the
version and digest recorded with their consent. The Chinese text is the one consented to; change a word
and ``NOTICE_VERSION`` must change too (``tests/portal/test_application_consent.py`` holds the digest)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext_lazy as _

NOTICE_VERSION = "2026-12-01"

# (heading, text) in the order PIPL art. 17 lists what a handler must tell: who, why, how and what, how
# long, and how to exercise one's rights. Headings and texts are gettext'd for the English page only.
NOTICE = [
    (
        _("谁处理您的信息"),
        _("您选择的矛调中心（见“申请调解的中心”）是个人信息处理者，联系方式见本站首页的地址和咨询电话。"),
    ),
    (
        _("为什么处理"),
        _("仅用于登记、分流和调解您申请的纠纷，联系您和对方当事人，以及办结后的回访和满意度评价。"),
    ),
    (
        _("处理哪些信息"),
        _(
            "您填写的姓名、身份证号、住址和登录手机号，对方当事人的信息，纠纷经过、请求和您上传的证据材料。"
            "证据中可能含有健康、财产等敏感个人信息，只在调解需要的范围内使用。"
        ),
    ),
    (
        _("谁能看到"),
        _(
            "受理中心的窗口受理员、承办调解员和督办人员；分流后承办的中心和渠道，以及被通知协办的部门。"
            "对方当事人在调解中会知道纠纷事实和您的请求，但看不到您的证件号和电话（遮蔽显示）。"
            "信息存储在境内，不向其他任何第三方提供。"
        ),
    ),
    (
        _("保存多久"),
        _(
            "案件办结后随卷宗按人民调解档案管理规定保存，期满后删除或匿名化处理；"
            "未提交的申请草稿（含已上传的文件）在 24 小时后删除。"
        ),
    ),
    (
        _("您的权利"),
        _(
            "您可以查阅、复制、更正、补充您的信息，也可以撤回同意（不影响撤回前已进行的处理）；"
            "不同意则无法在线提交申请，您仍可到中心窗口登记。"
        ),
    ),
]


def notice_text() -> str:
    """The notice in Chinese, the source language, exactly as it is hashed."""
    with translation.override("zh-hans"):
        return "\n".join(f"{heading}：{text}" for heading, text in NOTICE)


def notice_sha256() -> str:
    return hashlib.sha256(notice_text().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Consent:
    """A consent as given: the notice version and digest shown, and when the box was ticked."""

    version: str
    sha256: str
    consented_at: datetime
