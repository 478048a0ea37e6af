"""Online mediation: the exact agreement PDF put up for electronic signature, the one-time signing codes,
the evidence of each electronic signature (电子签名法 art. 13) and the stamped copies handed out.

The signature itself is the lifecycle's ``AgreementSignature`` (method ``electronic``), so the rule that
makes an agreement effective counts it with the paper ones. What is kept here is the proof: who, when,
from which address and device, which code was checked, and the SHA-256 of the exact PDF that was signed.
A changed agreement deletes the lifecycle's signatures (``save_agreement``); the evidence row stays, its
``signature`` cleared, and reads as voided.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Verification codes avoid look-alike characters: people type them from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _unused in range(12))


class SigningVersion(models.Model):
    """One rendering of an agreement's text as the PDF the parties sign; a new text gets a new version."""

    agreement = models.ForeignKey(
        "cases.Agreement", on_delete=models.CASCADE, related_name="signing_versions"
    )
    # What the text was made of (facts, terms, parties): the version is current while it still matches.
    content_digest = models.CharField(max_length=64)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, db_index=True)
    pdf = models.BinaryField(_("签署文件"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("电子签署版本")
        verbose_name_plural = _("电子签署版本")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "content_digest"], name="signing_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.sha256[:12]}"


class SigningCode(models.Model):
    """A one-time code texted to the phone on the party record, good for one party and one version only."""

    version = models.ForeignKey(SigningVersion, on_delete=models.CASCADE, related_name="codes")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("签署验证码")
        verbose_name_plural = _("签署验证码")
        indexes = [models.Index(fields=["party", "version", "-created_at"], name="signing_code_latest")]

    def __str__(self) -> str:
        return f"{self.party_id}/{self.version_id}"


class ElectronicSignature(models.Model):
    """The evidence of one party's electronic signature."""

    version = models.ForeignKey(SigningVersion, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    # The lifecycle's signature row; cleared when a changed agreement voided it.
    signature = models.OneToOneField(
        "cases.AgreementSignature",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="electronic",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signer_name = models.CharField(_("签名人"), max_length=100)
    signed_at = models.DateTimeField(_("签名时间"))
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("设备"), max_length=300, blank=True)
    phone = models.CharField(_("验证手机号"), max_length=20)
    code = models.OneToOneField(SigningCode, on_delete=models.SET_NULL, null=True, related_name="signature")
    code_verified_at = models.DateTimeField(_("验证码核验时间"))
    document_sha256 = models.CharField(_("所签文件 SHA-256"), max_length=64)
    verification_code = models.CharField(
        _("验证码（核验用）"), max_length=12, unique=True, default=new_verification_code
    )

    class Meta:
        verbose_name = _("电子签名")
        verbose_name_plural = _("电子签名")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.verification_code}"

    @property
    def is_valid(self) -> bool:
        return self.signature_id is not None


class StampedCopy(models.Model):
    """The final PDF with the signatures stamped in, kept byte for byte so a holder can verify it."""

    version = models.ForeignKey(SigningVersion, on_delete=models.CASCADE, related_name="stamped_copies")
    # Which signatures (and the mediator's signature and the seal) the copy shows.
    state_key = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("电子签名协议书")
        verbose_name_plural = _("电子签名协议书")
        constraints = [models.UniqueConstraint(fields=["version", "state_key"], name="stamped_copy_once")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.sha256[:12]}"


# --- Online mediation sessions (issue 19 item 1) ---------------------------------------------------
# The session itself is the lifecycle's MediationSession (mode online, ``place`` the video link); these rows
# add what only an online session has. Its thread is the case conversation: CaseMessage rows tagged with the
# session by SessionPost, so there is one conversation model and one way files are uploaded.


class OnlineSession(models.Model):
    """An online mediation session: the planned time, the external video link, when it really took place,
    and the record made from its thread when the mediator closed it (kept as it was confirmed)."""

    session = models.OneToOneField(
        "cases.MediationSession", on_delete=models.CASCADE, related_name="online", verbose_name=_("调解记录")
    )
    planned_at = models.DateTimeField(_("计划时间"))
    video_url = models.URLField(_("视频会议链接"), max_length=200)
    held_from = models.DateTimeField(_("实际开始时间"), null=True, blank=True)
    held_until = models.DateTimeField(_("实际结束时间"), null=True, blank=True)
    record_text = models.TextField(_("调解笔录"), blank=True)
    record_sha256 = models.CharField(_("笔录 SHA-256"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("线上调解会")
        verbose_name_plural = _("线上调解会")
        ordering = ["planned_at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.planned_at:%Y-%m-%d %H:%M}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SessionParticipant(models.Model):
    """One party of an online session: when they were invited, first opened the session, and confirmed its
    record (我已阅读并确认) with the evidence of that confirmation."""

    online_session = models.ForeignKey(OnlineSession, on_delete=models.CASCADE, related_name="participants")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    invitations = models.PositiveSmallIntegerField(_("邀请短信次数"), default=0)
    joined_at = models.DateTimeField(_("进入时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    confirmed_user_agent = models.CharField(_("设备"), max_length=300, blank=True)
    confirmed_sha256 = models.CharField(_("所确认笔录 SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("线上调解参加人")
        verbose_name_plural = _("线上调解参加人")
        ordering = ["online_session", "party_id"]
        constraints = [
            models.UniqueConstraint(fields=["online_session", "party"], name="session_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.online_session_id}/{self.party_id}"


class SessionPost(models.Model):
    """Tags a case conversation message as said in an online session, and says what kind it is."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("发言")
        PROPOSAL = "proposal", _("调解方案")

    message = models.OneToOneField(
        "cases.CaseMessage", on_delete=models.CASCADE, primary_key=True, related_name="session_post"
    )
    online_session = models.ForeignKey(OnlineSession, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    # Which party spoke (a citizen may be party more than once in theory; the link names one).
    party = models.ForeignKey(
        "cases.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("线上调解发言")
        verbose_name_plural = _("线上调解发言")
        ordering = ["message_id"]

    def __str__(self) -> str:
        return f"{self.online_session_id}/{self.message_id}"


class ProposalAnswer(models.Model):
    """A party's 同意 / 不同意 to one of the mediator's proposals (the latest answer counts)."""

    class Answer(models.TextChoices):
        AGREE = "agree", _("同意")
        DISAGREE = "disagree", _("不同意")

    post = models.ForeignKey(SessionPost, on_delete=models.CASCADE, related_name="answers")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("意见"), max_length=16, choices=Answer.choices)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("表态时间"))

    class Meta:
        verbose_name = _("调解方案表态")
        verbose_name_plural = _("调解方案表态")
        ordering = ["post_id", "party_id"]
        constraints = [models.UniqueConstraint(fields=["post", "party"], name="proposal_answer_once")]

    def __str__(self) -> str:
        return f"{self.post_id}/{self.party_id} {self.answer}"
