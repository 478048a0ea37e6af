"""The online application between its steps (fill in → preview → send): the typed values and the consent
in the citizen's session, the uploaded files in private storage under ``portal-drafts/``, so going back to
edit loses nothing, files included. A draft not sent is deleted with its files after ``DRAFT_MAX_AGE``."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage
from django.utils import timezone

from cases.core.models import Attachment
from cases.portal.privacy import Consent

SESSION_KEY = "portal_application_draft"
DRAFT_DIR = "portal-drafts"
DRAFT_MAX_AGE = timedelta(hours=24)


def storage() -> Storage:
    """The evidence files' own (private) storage: a draft's files are evidence not yet sent."""
    return Attachment._meta.get_field("file").storage


@dataclass(frozen=True)
class DraftFile:
    token: str
    name: str
    size: int
    content_type: str
    path: str


class Draft:
    """One citizen's application in progress, read from and written back to the session."""

    def __init__(self, request):
        self.request = request
        stored = request.session.get(SESSION_KEY) or {}
        self.key: str = stored.get("key") or secrets.token_hex(12)
        self.data: dict = stored.get("data") or {}
        self.files: list[DraftFile] = [DraftFile(**f) for f in stored.get("files", [])]
        self.consent: dict | None = stored.get("consent")
        self.exists = bool(stored)

    def save(self) -> None:
        self.request.session[SESSION_KEY] = {
            "key": self.key,
            "data": self.data,
            "files": [vars(f) for f in self.files],
            "consent": self.consent,
        }
        self.exists = True

    def add_uploads(self, uploads) -> None:
        """Keep newly chosen files with the draft (their names and sizes stay as the citizen chose them)."""
        for upload in uploads:
            token = secrets.token_hex(8)
            path = storage().save(f"{DRAFT_DIR}/{self.key}/{token}", upload)
            self.files.append(
                DraftFile(
                    token=token,
                    name=upload.name[:200],
                    size=upload.size,
                    content_type=getattr(upload, "content_type", "") or "",
                    path=path,
                )
            )

    def keep_only(self, tokens) -> None:
        """Drop the files the citizen unticked when editing; their stored copies go at once."""
        tokens = set(tokens)
        for f in self.files:
            if f.token not in tokens:
                storage().delete(f.path)
        self.files = [f for f in self.files if f.token in tokens]

    def record_consent(self, consent: Consent) -> None:
        """The first tick of this notice version is the consent's time; a later edit keeps it."""
        if self.consent and self.consent.get("version") == consent.version:
            return
        self.consent = {
            "version": consent.version,
            "sha256": consent.sha256,
            "at": consent.consented_at.isoformat(),
        }

    def consent_given(self) -> Consent | None:
        if not self.consent:
            return None
        return Consent(
            version=self.consent["version"],
            sha256=self.consent["sha256"],
            consented_at=datetime.fromisoformat(self.consent["at"]),
        )

    def open_files(self) -> list[File]:
        """The kept files as uploads the application service stores like any other."""
        opened = []
        for f in self.files:
            handle = File(storage().open(f.path, "rb"), name=f.name)
            handle.content_type = f.content_type
            opened.append(handle)
        return opened

    def discard(self) -> None:
        for f in self.files:
            storage().delete(f.path)
        self.files = []
        self.request.session.pop(SESSION_KEY, None)
        self.exists = False


def purge_stale(*, now=None) -> int:
    """Delete drafts' files older than DRAFT_MAX_AGE (the notice promises it); returns how many went.

    Called whenever a draft is written, so no timer is needed: a folder listing of the drafts alone."""
    now = now or timezone.now()
    store = storage()
    try:
        folders, _files = store.listdir(DRAFT_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        base = PurePosixPath(DRAFT_DIR) / folder
        names = store.listdir(str(base))[1]
        stale = [n for n in names if now - store.get_modified_time(str(base / n)) > DRAFT_MAX_AGE]
        for name in stale:
            store.delete(str(base / name))
            removed += 1
    return removed
