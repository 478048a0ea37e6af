"""Evidence files chosen on the counter form before the case exists (issue 15, item 7).

A browser forgets the files of a file input whenever the page comes back — after 查重, after a validation
error, after removing one of them — so each file the clerk chose is kept here at once: stored privately
(the default storage, under PRIVATE_MEDIA_ROOT) and listed in the clerk's session under the form's draft key
(one per form on screen, so two forms in two tabs keep their own). The page shows them as 已选择的文件 with
a remove button; saving the registration attaches them to the new case and forgets them. What an abandoned
form left behind is removed after PENDING_MAX_AGE, the next time anyone keeps a file.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from cases.core.attachments import safe_name

SESSION_KEY = "intake_pending_evidence"
FOLDER = "intake-pending"
PENDING_MAX_AGE = timedelta(days=1)
MAX_DRAFTS = 10  # forms a clerk may have open at once; the oldest draft's files go first


@dataclass(frozen=True)
class PendingFile:
    token: str
    name: str
    size: int
    content_type: str


def new_draft_key() -> str:
    return secrets.token_urlsafe(12)


def _drafts(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _entries(request, key: str) -> list[dict]:
    return list(_drafts(request).get(key, {}).get("files", [])) if key else []


def _save(request, key: str, entries: list[dict]) -> None:
    drafts = dict(_drafts(request))
    if entries:
        drafts[key] = {"at": timezone.now().isoformat(), "files": entries}
    else:
        drafts.pop(key, None)
    while len(drafts) > MAX_DRAFTS:
        oldest = min(drafts, key=lambda k: drafts[k]["at"])
        for entry in drafts.pop(oldest)["files"]:
            default_storage.delete(entry["path"])
    request.session[SESSION_KEY] = drafts


def pending_files(request, key: str) -> list[PendingFile]:
    """The files kept for the form with draft key ``key`` in this clerk's session, in the order chosen."""
    return [PendingFile(e["token"], e["name"], e["size"], e["content_type"]) for e in _entries(request, key)]


def keep(request, key: str, uploads: list[UploadedFile]) -> None:
    """Store ``uploads`` (already validated) and list them under ``key``."""
    if not key or not uploads:
        return
    _remove_abandoned()
    entries = _entries(request, key)
    for upload in uploads:
        token = secrets.token_urlsafe(16)
        path = default_storage.save(f"{FOLDER}/{token}", upload)
        entries.append(
            {
                "token": token,
                "path": path,
                "name": safe_name(upload.name or "file"),
                "size": upload.size,
                "content_type": (getattr(upload, "content_type", "") or "")[:100],
            }
        )
    _save(request, key, entries)


def remove(request, key: str, token: str) -> bool:
    """Forget one kept file (and delete it); False when it is not this form's."""
    entries = _entries(request, key)
    gone = [e for e in entries if e["token"] == token]
    for entry in gone:
        default_storage.delete(entry["path"])
    _save(request, key, [e for e in entries if e["token"] != token])
    return bool(gone)


def as_uploads(request, key: str) -> list[UploadedFile]:
    """The kept files as uploads for ``register_case`` (opened from storage; the caller attaches them)."""
    uploads = []
    for entry in _entries(request, key):
        if not default_storage.exists(entry["path"]):
            continue
        handle = File(default_storage.open(entry["path"], "rb"))
        uploads.append(
            UploadedFile(
                file=handle, name=entry["name"], content_type=entry["content_type"], size=entry["size"]
            )
        )
    return uploads


def forget(request, key: str) -> None:
    """After the case is saved: delete the kept copies (the case holds its own) and drop the draft."""
    for entry in _entries(request, key):
        default_storage.delete(entry["path"])
    _save(request, key, [])


def _remove_abandoned() -> None:
    try:
        _dirs, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_MAX_AGE
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except FileNotFoundError:
            continue
