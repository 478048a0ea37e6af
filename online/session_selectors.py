"""Reads of online mediation sessions: the case page's lazy section, a session's thread, the party's page and
the citizen's list. Each runs a fixed number of queries whatever the number of sessions, parties or posts."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import User
from cases.core.models import Case, Party
from cases.lifecycle.selectors import is_case_mediator
from cases.portal.selectors import citizen_party_q
from online.models import OnlineSession, ProposalAnswer, SessionParticipant, SessionPost


@dataclass(frozen=True)
class SessionsStub:
    """What the case page itself holds: a placeholder that htmx replaces with ``case_sessions`` (no query)."""

    case: Case
    template: str = "online/sessions_stub.html"


def case_page_stub(case: Case, user: User, *, lifecycle, parties, actions) -> SessionsStub:
    """The case page's 线上调解 card, loaded lazily (settings.CASE_PAGE_SECTIONS)."""
    return SessionsStub(case)


def _participant_state(row: SessionParticipant) -> str:
    if row.confirmed_at:
        return "confirmed"
    if row.joined_at:
        return "joined"
    if row.invited_at:
        return "invited"
    return "scheduled"


@dataclass
class SessionSummary:
    online_session: OnlineSession
    participants: list[SessionParticipant]

    @property
    def rows(self) -> list[tuple[SessionParticipant, str]]:
        return [(r, _participant_state(r)) for r in self.participants]


@dataclass
class CaseSessions:
    case: Case
    sessions: list[SessionSummary]
    can_schedule: bool
    parties: list[Party] = field(default_factory=list)


def _sessions_qs():
    return OnlineSession.objects.select_related("session").prefetch_related(
        Prefetch(
            "participants",
            queryset=SessionParticipant.objects.select_related("party").order_by("party_id"),
        )
    )


def case_sessions(case: Case, user: User, *, writable: bool) -> CaseSessions:
    """The case's online sessions with, per party, invited / joined / confirmed (four queries)."""
    sessions = list(_sessions_qs().filter(session__case=case).order_by("-planned_at", "-pk"))
    can_schedule = writable and is_case_mediator(user, case)
    return CaseSessions(
        case=case,
        sessions=[SessionSummary(s, list(s.participants.all())) for s in sessions],
        can_schedule=can_schedule,
        parties=list(case.parties.order_by("pk")) if can_schedule else [],
    )


def get_online_session_for_case(case: Case, pk: int) -> OnlineSession:
    from django.http import Http404

    online_session = _sessions_qs().filter(pk=pk, session__case=case).first()
    if online_session is None:
        raise Http404
    online_session.session.case = case
    return online_session


@dataclass
class ThreadPost:
    post: SessionPost
    answers: dict[int, ProposalAnswer]
    mine: ProposalAnswer | None = None  # the viewing party's answer (the party's page)

    @property
    def message(self):
        return self.post.message

    @property
    def is_proposal(self) -> bool:
        return self.post.kind == SessionPost.Kind.PROPOSAL


def thread(online_session: OnlineSession) -> list[ThreadPost]:
    """Everything said in the session, in order, with each proposal's answers per party (two queries)."""
    posts = (
        online_session.posts.select_related("message__author", "message__attachment", "party")
        .prefetch_related(Prefetch("answers", queryset=ProposalAnswer.objects.select_related("party")))
        .order_by("message__created_at", "message_id")
    )
    return [ThreadPost(p, {a.party_id: a for a in p.answers.all()}) for p in posts]


@dataclass
class PartySessionPage:
    online_session: OnlineSession
    party: Party
    participant: SessionParticipant
    posts: list[ThreadPost]


def party_session_page(online_session: OnlineSession, party: Party) -> PartySessionPage:
    participant = SessionParticipant.objects.get(online_session=online_session, party=party)
    posts = thread(online_session)
    for item in posts:
        item.mine = item.answers.get(party.pk)
    return PartySessionPage(online_session, party, participant, posts)


@dataclass
class CitizenSession:
    online_session: OnlineSession
    participant: SessionParticipant
    token: str


def sessions_for_citizen(user: User) -> list[CitizenSession]:
    """The citizen's online sessions, newest first, each with a fresh link (two queries)."""
    from online.access import session_link_token

    rows = (
        SessionParticipant.objects.filter(party__in=Party.objects.filter(citizen_party_q(user)))
        .select_related("party__case", "online_session__session")
        .order_by("-online_session__planned_at", "-pk")
    )
    return [CitizenSession(r.online_session, r, session_link_token(r.online_session, r.party)) for r in rows]
