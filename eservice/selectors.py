"""Reads of electronic service: the case page's lazy section, the service board it loads (status per party
per document), and the party's own services in the portal. Each runs a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import User
from cases.core.models import Case, Party
from cases.documents.registry import Document, Viewer, documents_for
from cases.portal.selectors import citizen_party_q
from eservice.access import link_token
from eservice.models import DocumentService, ServiceConsent


@dataclass(frozen=True)
class LazySection:
    """The placeholder the case page includes; htmx loads the board after the page (no query here)."""

    case: Case
    template: str = "eservice/case_section.html"


def case_page_section(case: Case, user: User, *, lifecycle, parties, actions) -> LazySection:
    return LazySection(case)


@dataclass
class DocumentStatus:
    kind: str
    label: str
    services: list[DocumentService]

    @property
    def decisive(self) -> DocumentService | None:
        """What the status shows: the earliest completed service (the moment of service), else the latest."""
        served = [s for s in self.services if s.service_moment is not None]
        if served:
            return min(served, key=lambda s: s.service_moment)
        return self.services[-1] if self.services else None

    @property
    def state(self) -> str:
        return self.decisive.state if self.decisive else "none"


@dataclass
class PartyRow:
    party: Party
    consent: ServiceConsent | None
    documents: list[DocumentStatus] = field(default_factory=list)


@dataclass
class ServiceBoard:
    case: Case
    rows: list[PartyRow]
    documents: list[Document]
    can_write: bool


def _services_q():
    return DocumentService.objects.defer("pdf").order_by("created_at", "pk")


def service_board(case: Case, *, can_write: bool) -> ServiceBoard:
    """Status per party per servable document: five queries at most whatever the number of parties."""
    documents = list(documents_for(case, Viewer.PARTY).values())  # the registry: up to two queries
    parties = list(
        case.parties.order_by("pk").prefetch_related(
            Prefetch(
                "service_consents",
                queryset=ServiceConsent.objects.filter(withdrawn_at__isnull=True),
                to_attr="live_consents",
            )
        )
    )
    services = list(_services_q().filter(case=case))
    labels = {d.kind: str(d.label) for d in documents}
    rows = []
    for party in parties:
        mine = [s for s in services if s.party_id == party.pk]
        kinds = list(labels) + [s.document_kind for s in mine if s.document_kind not in labels]
        seen: list[str] = []
        for kind in kinds:
            if kind not in seen:
                seen.append(kind)
        row = PartyRow(party=party, consent=(party.live_consents or [None])[0])
        for kind in seen:
            of_kind = [s for s in mine if s.document_kind == kind]
            label = labels.get(kind) or (of_kind[0].document_label if of_kind else kind)
            row.documents.append(DocumentStatus(kind=kind, label=label, services=of_kind))
        rows.append(row)
    return ServiceBoard(case=case, rows=rows, documents=documents, can_write=can_write)


def services_for_citizen(user: User) -> list[PartyRow]:
    """The citizen's party rows with their consent and the documents served to them electronically."""
    parties = list(
        Party.objects.filter(citizen_party_q(user))
        .select_related("case")
        .order_by("-case__created_at", "pk")
        .prefetch_related(
            Prefetch(
                "service_consents",
                queryset=ServiceConsent.objects.filter(withdrawn_at__isnull=True),
                to_attr="live_consents",
            ),
            Prefetch(
                "document_services",
                queryset=_services_q().filter(method=DocumentService.Method.ELECTRONIC),
                to_attr="electronic_services",
            ),
        )
    )
    rows = []
    for party in parties:
        row = PartyRow(party=party, consent=(party.live_consents or [None])[0])
        for service in party.electronic_services:
            service.token = link_token(service)  # a fresh link: the signed-in party finds their documents again
        row.documents = [
            DocumentStatus(kind=s.document_kind, label=s.document_label, services=[s])
            for s in party.electronic_services
        ]
        rows.append(row)
    return rows
