"""Evidence uploads: the size and type rules (settings) and how a file is stored privately."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cases.core.models import Attachment, Case


def allowed_extensions() -> list[str]:
    return [
        ext.lower() if ext.startswith(".") else f".{ext.lower()}" for ext in settings.ATTACHMENT_ALLOWED_TYPES
    ]


def validate_upload(file: UploadedFile) -> None:
    """Raise ValidationError with a message saying why the file is refused."""
    name = PurePath(file.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in allowed_extensions():
        raise ValidationError(
            _("“%(name)s”的文件类型不允许上传。允许的类型：%(types)s。")
            % {"name": name, "types": "、".join(allowed_extensions())},
            code="type",
        )
    if file.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s”过大（%(size)s），单个文件不能超过 %(limit)s。")
            % {
                "name": name,
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="size",
        )
    if file.size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": name}, code="empty")


def safe_name(name: str) -> str:
    """The base name only, without path parts or control characters, at most 150 characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '/\\:*?"<>|')
    stem, _dot, ext = cleaned.rpartition(".")
    if not stem:
        stem, ext = cleaned, ""
    stem = stem[: 150 - len(ext) - 1] or "file"
    return f"{stem}.{ext}" if ext else stem


def build_attachment(case: Case, file: UploadedFile, *, uploaded_by, description: str = "") -> Attachment:
    """Store the file under PRIVATE_MEDIA_ROOT (via the default storage) and create its row."""
    validate_upload(file)
    name = safe_name(file.name or "file")
    attachment = Attachment(
        case=case,
        token=secrets.token_urlsafe(16),
        original_name=name,
        content_type=(getattr(file, "content_type", "") or "")[:100],
        size=file.size,
        description=description[:200],
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    return attachment
