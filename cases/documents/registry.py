"""The one registry of the documents a case can have: which exist for whom, how each renders, its file name.

Modelled on pretix's ticket-output registry (``pretix.base.ticketoutput``): each kind of document is a
``Document`` subclass declared once (in ``cases.documents.catalogue``, imported at ``apps.ready``) and
registered with ``@register``. Everyone who shows or serves a document asks here: the staff case page, the
registration page, the intake list, the lifecycle API, the citizen portal and the PDF downloads, so
``available`` decides both whether a link shows and whether the download answers (404 when it does not).

``available`` is asked after the access check: the viewer may already see the case, and only says which
side of the counter they are on (``Viewer``). What a rule reads beyond the case row (the current agreement,
the termination notice) comes in ``Papers``, loaded lazily and at most once, or taken from the lifecycle a
page has already loaded, so a page asking about all its documents runs a fixed number of queries.
"""

from __future__ import annotations

import abc
import enum
from functools import cached_property
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.core.models import Case
from cases.lifecycle.models import Agreement, TerminationNotice
from cases.lifecycle.selectors import CaseLifecycle
from cases.lifecycle.services import current_agreement
from mediation_center.errors import DomainError


class DocumentNotAvailable(DomainError):
    code = "document_not_available"
    http_status = 404
    default_message = _("本案没有这份文书。")


class Viewer(enum.Enum):
    """Which side asks. Who among the staff makes no difference to any document: whether they may see the
    case at all is ``get_case_for_user``'s answer, given before the registry is asked."""

    STAFF = "staff"  # a member of staff the case's access check let in
    PARTY = "party"  # one of the case's parties: a signed-in citizen, or a signed link from the status lookup


class Papers:
    """What the document rules read beyond the case row; each part is loaded when first read, at most once."""

    def __init__(self, case: Case, lifecycle: CaseLifecycle | None = None):
        self.case = case
        if lifecycle is not None:  # already loaded by the page: nothing more to read
            self.__dict__["agreement"] = lifecycle.agreement
            self.__dict__["notice"] = lifecycle.notice

    @classmethod
    def loaded(cls, case: Case, *, agreement: Agreement | None, notice: TerminationNotice | None) -> Papers:
        """The papers a page has already read (``agreement`` as ``current_agreement`` chooses it, ``notice``
        the latest termination notice): nothing more to read."""
        papers = cls(case)
        papers.__dict__.update(agreement=agreement, notice=notice)
        return papers

    @cached_property
    def agreement(self) -> Agreement | None:
        """The current (not voided) written agreement, as ``lifecycle_of`` chooses it."""
        return current_agreement(self.case)

    @cached_property
    def notice(self) -> TerminationNotice | None:
        """The latest termination notice, as ``lifecycle_of`` chooses it."""
        return self.case.termination_notices.first()


class Document(abc.ABC):
    """One kind of document. A subclass states ``kind``, ``label``, the staff download's ``path`` (under
    ``/cases/<pk>/``) and ``url_name``, ``available`` and ``render``."""

    kind: ClassVar[str]
    label: ClassVar[str | Promise]
    path: ClassVar[str]
    url_name: ClassVar[str]  # inside the ``cases`` namespace
    # The staff download's file name is ``<stem>-<case id>.pdf`` (as printed since the first release); a
    # party's is ``<kind>-<tracking code>.pdf``: what citizens see never carries a sequential id.
    staff_stem: ClassVar[str]
    # Whether the document's legal use needs full ID numbers and phones (the agreement a court confirms, the
    # archive's case file): staff's copy carries them, a party's stays masked like everything citizens see.
    full_identity: ClassVar[bool] = False

    @abc.abstractmethod
    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        """Whether ``viewer`` may have this document of ``case`` now."""

    @abc.abstractmethod
    def render(self, case: Case) -> bytes:
        """PDF bytes. Call outside ``transaction.atomic()``: rendering is slow. A document with
        ``full_identity`` also takes ``full_identity: bool`` (keyword)."""

    def render_for(self, case: Case, viewer: Viewer) -> bytes:
        """The PDF ``viewer`` gets: with full ID numbers and phones only where ``full_identity`` and for staff."""
        if self.full_identity and viewer is Viewer.STAFF:
            return self.render(case, full_identity=True)
        return self.render(case)

    def filename(self, case: Case, viewer: Viewer) -> str:
        if viewer is Viewer.PARTY:
            return f"{self.kind}-{case.tracking_code}.pdf"
        return f"{self.staff_stem}-{case.pk}.pdf"


_REGISTRY: dict[str, Document] = {}


def register(cls: type[Document]) -> type[Document]:
    """Class decorator: offer this kind of document (registration order is the order pages list them in)."""
    _REGISTRY[cls.kind] = cls()
    return cls


def unregister(kind: str) -> None:
    _REGISTRY.pop(kind, None)


def all_documents() -> list[Document]:
    return list(_REGISTRY.values())


def documents_for(
    case: Case,
    viewer: Viewer,
    *,
    lifecycle: CaseLifecycle | None = None,
    kinds: tuple[str, ...] | None = None,
    papers: Papers | None = None,
) -> dict[str, Document]:
    """The documents ``viewer`` may have of ``case`` now, by kind, in registration order.

    ``lifecycle``: the page's already loaded lifecycle (then no query is run); ``kinds``: ask only about
    these (a list page asking about the receipt of each row runs no query for the others); ``papers``: what
    the rules read, loaded by the page (``Papers.loaded``)."""
    papers = papers or Papers(case, lifecycle)
    return {
        kind: document
        for kind, document in _REGISTRY.items()
        if (kinds is None or kind in kinds) and document.available(case, viewer, papers)
    }


def document_for(case: Case, viewer: Viewer, kind: str) -> Document | None:
    """The document of this kind if ``viewer`` may have it now; None for one not available or unknown."""
    document = _REGISTRY.get(kind)
    if document is None or not document.available(case, viewer, Papers(case)):
        return None
    return document
