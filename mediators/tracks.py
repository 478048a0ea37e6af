"""The recommendation's maintained summary: each mediator's open cases as lead (``MediatorLoad``) and their
track record per dispute type (``MediatorTrack``), so that a recommendation reads a few rows per candidate
instead of every case each candidate ever led (~110 per mediator at 1,000,000 cases, growing with the years).

How it stays right. The figures come from four tables: the lead assignments (``routing_caseassignment``),
the cases (status, dispute type, conclusion, outcome), the handling clocks (on time) and the ratings. A
trigger on each (installed after every migrate, ``install``) writes a ``TrackMark`` row naming every lead
mediator of the case a change touched, in the change's own transaction — so a service, a bulk ``update()``,
the admin and the generator's COPY are all caught, and a mark exists exactly when its change committed. The
sweep (``refresh_tracks``, every minute from ``mediators.tasks``) takes marks, recomputes those mediators'
rows from the cases, and deletes exactly the marks it took. Until then the reader (``summaries_for``) sees the
mark and computes that mediator from the cases itself, so a recommendation is never stale.

Concurrency. The marks are only inserted (no shared row is locked by a service). A refresh deletes the marks
it read (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two sweeps take different marks), then locks the
mediators' ``MediatorLoad`` rows in id order and only then reads the cases: a mark it deleted was committed
before, so its change is visible to the later statements (READ COMMITTED takes a snapshot per statement),
and two refreshes of one mediator run one after the other, the second reading what the first could not. A
mark written while a refresh runs is not among those it deleted, and the next refresh recomputes again. A
recount (``recount_tracks``, ``manage.py recount_tracks``) compares every stored row with the cases and
rewrites those that differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import Q

from cases.core.models import Case
from cases.core.states import OPEN_STATUSES, Outcome
from cases.portal.models import Rating
from cases.warnings.models import ClockTrigger
from mediation_center.dialect import id_in, row_trigger_sql
from routing.models import CaseAssignment

from .measures import handling_on_time
from .models import MediatorLoad, MediatorTrack, TrackMark

RESOLVED = set(Outcome.resolved())
MARKS = "mediators_trackmark"
TAKE = 5_000  # marks per refresh transaction
RECOUNT_CHUNK = 50  # mediators per recount statement group


@dataclass
class Track:
    """A mediator's record on the concluded cases of one dispute type they ever led (each case once)."""

    similar: int = 0
    resolved: int = 0
    timed: int = 0  # the similar cases that had a legal deadline (a stopped handling clock)
    on_time: int = 0
    rating_sum: int = 0
    rating_n: int = 0

    @property
    def success_rate(self) -> float | None:
        return self.resolved / self.similar if self.similar else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.timed if self.timed else None

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.rating_n if self.rating_n else None

    def figures(self) -> tuple[int, int, int, int, int, int]:
        return (self.similar, self.resolved, self.timed, self.on_time, self.rating_sum, self.rating_n)


# --- computed from the cases -------------------------------------------------------------------------------
def compute(
    user_ids, dispute_type_id: int | None = None
) -> tuple[dict[int, int], dict[tuple[int, int], Track]]:
    """The load of each of ``user_ids`` (their active lead assignments of open cases) and their track records
    keyed by (mediator, dispute type) — of every type, or only ``dispute_type_id`` — in three queries: the
    lead assignments read alone (the partial index ``assignment_lead_by_mediator``, index-only), those of
    their cases that are open or concluded with each case's outcome and on-time flag (``handling_on_time``),
    and the ratings of the concluded ones."""
    leads = list(
        CaseAssignment.objects.filter(mediator_id__in=list(user_ids), is_lead=True)
        .order_by()
        .values_list("mediator_id", "case_id", "ended_at")
    )
    if not leads:
        return {}, {}
    done_filter = Q(concluded_at__isnull=False)
    if dispute_type_id is not None:
        done_filter &= Q(dispute_type_id=dispute_type_id)
    facts = {
        pk: rest
        for pk, *rest in Case.objects.filter(
            done_filter | Q(status__in=OPEN_STATUSES), pk__in={case_id for _, case_id, _ in leads}
        )
        .order_by()
        .annotate(on_time=handling_on_time("pk"))
        .values_list("pk", "status", "dispute_type_id", "concluded_at", "outcome", "on_time")
    }
    loads: dict[int, int] = {}
    done: dict[int, dict[int, tuple]] = {}
    for mediator_id, case_id, ended_at in leads:
        if case_id not in facts:
            continue
        status, type_id, concluded_at, outcome, on_time = facts[case_id]
        if ended_at is None and status in OPEN_STATUSES:
            loads[mediator_id] = loads.get(mediator_id, 0) + 1
        if concluded_at is not None and (dispute_type_id is None or type_id == dispute_type_id):
            done.setdefault(mediator_id, {})[case_id] = (type_id, outcome, on_time)
    if not done:
        return loads, {}
    scores: dict[int, list[int]] = {}
    case_ids = {case_id for cases in done.values() for case_id in cases}
    for case_id, score in (
        Rating.objects.filter(case_id__in=case_ids).order_by().values_list("case_id", "score")
    ):
        scores.setdefault(case_id, []).append(score)
    tracks: dict[tuple[int, int], Track] = {}
    for mediator_id, cases in done.items():
        for case_id, (type_id, outcome, on_time) in cases.items():
            track = tracks.setdefault((mediator_id, type_id), Track())
            track.similar += 1
            track.resolved += outcome in RESOLVED
            if on_time is not None:
                track.timed += 1
                track.on_time += bool(on_time)
            given = scores.get(case_id, [])
            track.rating_sum += sum(given)
            track.rating_n += len(given)
    return loads, tracks


# --- read --------------------------------------------------------------------------------------------------
def summaries_for(user_ids, dispute_type_id: int) -> tuple[dict[int, int], dict[int, Track]]:
    """Each of ``user_ids``' load and track record on ``dispute_type_id``: the stored rows and the pending
    marks of those mediators in one statement (a UNION ALL); a mediator with a pending mark is computed from
    the cases instead (``compute``, three more queries, only when there is one)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}, {}
    where, params = id_in("mediator_id", ids, connection)
    sql = (
        f"SELECT 'l', mediator_id, open_leads, 0, 0, 0, 0, 0 FROM {MediatorLoad._meta.db_table} WHERE {where} "
        f"UNION ALL SELECT 't', mediator_id, \"similar\", resolved, timed, on_time, rating_sum, rating_n "  # SIMILAR is a keyword
        f"FROM {MediatorTrack._meta.db_table} WHERE dispute_type_id = %s AND {where} "
        f"UNION ALL SELECT 'm', mediator_id, 0, 0, 0, 0, 0, 0 FROM {MARKS} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, dispute_type_id, *params, *params])
        rows = cursor.fetchall()
    loads: dict[int, int] = {}
    tracks: dict[int, Track] = {}
    marked: set[int] = set()
    for row_kind, mediator_id, *figures in rows:
        if row_kind == "l":
            if figures[0]:
                loads[mediator_id] = figures[0]
        elif row_kind == "t":
            tracks[mediator_id] = Track(*figures)
        else:
            marked.add(mediator_id)
    if marked:
        for mediator_id in marked:
            loads.pop(mediator_id, None)
            tracks.pop(mediator_id, None)
        live_loads, live_tracks = compute(sorted(marked), dispute_type_id)
        loads.update(live_loads)
        tracks.update({m: t for (m, _type), t in live_tracks.items()})
    return loads, tracks


# --- write: the sweep's refresh and the recount ------------------------------------------------------------
def _take_marks(limit: int) -> list[int]:
    """Delete up to ``limit`` committed marks and return the mediators they name."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {MARKS} WHERE id IN (SELECT id FROM {MARKS} ORDER BY id LIMIT %s "
                f"FOR UPDATE SKIP LOCKED) RETURNING mediator_id",
                [limit],
            )
            return sorted({row[0] for row in cursor.fetchall()})
    rows = list(TrackMark.objects.order_by("id").values_list("id", "mediator_id")[:limit])
    if rows:
        TrackMark.objects.filter(id__in=[pk for pk, _m in rows]).delete()
    return sorted({m for _pk, m in rows})


def _rewrite(mediator_ids: list[int]) -> tuple[int, int]:
    """Recompute ``mediator_ids``' rows from the cases and store them, their load rows locked first (in id
    order). Returns how many load and track rows differed from what was stored."""
    from accounts.models import User

    existing = set(User.objects.filter(pk__in=mediator_ids).values_list("pk", flat=True))
    ids = [m for m in mediator_ids if m in existing]  # a mark may outlive its user
    MediatorLoad.objects.bulk_create([MediatorLoad(mediator_id=m) for m in ids], ignore_conflicts=True)
    stored_loads = dict(
        MediatorLoad.objects.select_for_update()
        .filter(mediator_id__in=ids)
        .order_by("mediator_id")
        .values_list("mediator_id", "open_leads")
    )
    loads, tracks = compute(ids)
    stored_tracks = {
        (m, t): Track(*figures)
        for m, t, *figures in MediatorTrack.objects.filter(mediator_id__in=ids).values_list(
            "mediator_id",
            "dispute_type_id",
            "similar",
            "resolved",
            "timed",
            "on_time",
            "rating_sum",
            "rating_n",
        )
    }
    wrong_loads = sum(stored_loads.get(m, 0) != loads.get(m, 0) for m in ids)
    keys = set(stored_tracks) | set(tracks)
    wrong_tracks = sum(
        (stored_tracks[k].figures() if k in stored_tracks else None)
        != (tracks[k].figures() if k in tracks else None)
        for k in keys
    )
    changed = [m for m in ids if stored_loads.get(m, 0) != loads.get(m, 0)]
    if changed:
        MediatorLoad.objects.bulk_update(
            [MediatorLoad(mediator_id=m, open_leads=loads.get(m, 0)) for m in changed], ["open_leads"]
        )
    if wrong_tracks:
        MediatorTrack.objects.filter(mediator_id__in=ids).delete()
        MediatorTrack.objects.bulk_create(
            [
                MediatorTrack(mediator_id=m, dispute_type_id=t, **_fields(track))
                for (m, t), track in sorted(tracks.items())
            ]
        )
    return wrong_loads, wrong_tracks


def _fields(track: Track) -> dict[str, int]:
    return dict(
        zip(
            ("similar", "resolved", "timed", "on_time", "rating_sum", "rating_n"),
            track.figures(),
            strict=True,
        )
    )


def refresh_tracks(*, seconds: float = 20.0, take: int = TAKE) -> int:
    """The sweep's step: rewrite the summaries of the mediators the pending marks name, ``take`` marks per
    transaction, until none is left or ``seconds`` have passed. Returns how many mediators it rewrote; run
    twice or at once in two workers, it rewrites nobody twice for one mark."""
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction.atomic():
            ids = _take_marks(take)
            if not ids:
                break
            _rewrite(ids)
        done += len(ids)
    return done


def recount_tracks(*, chunk: int = RECOUNT_CHUNK) -> dict[str, int]:
    """Compare every mediator's stored summary with the cases and rewrite what differs; the marks pending
    when it started are consumed. Returns the mediators checked and the rows found wrong."""
    ids = sorted(
        set(CaseAssignment.objects.filter(is_lead=True).values_list("mediator_id", flat=True).distinct())
        | set(MediatorLoad.objects.values_list("mediator_id", flat=True))
        | set(MediatorTrack.objects.values_list("mediator_id", flat=True).distinct())
    )
    last_mark = TrackMark.objects.order_by("-id").values_list("id", flat=True).first()
    report = {"mediators": len(ids), "wrong_loads": 0, "wrong_tracks": 0}
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            wrong_loads, wrong_tracks = _rewrite(ids[start : start + chunk])
        report["wrong_loads"] += wrong_loads
        report["wrong_tracks"] += wrong_tracks
    if last_mark is not None:  # every mediator was recomputed after these marks committed
        TrackMark.objects.filter(id__lte=last_mark).delete()
    return report


# --- the triggers ------------------------------------------------------------------------------------------
def _mark_leads_of(case_ref: str) -> str:
    return (
        f"INSERT INTO {MARKS} (mediator_id) SELECT mediator_id FROM routing_caseassignment "
        f"WHERE case_id = {case_ref} AND is_lead"
    )


def _changed(*columns: str) -> str:
    return "(" + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns) + ")"


def trigger_ddl(conn) -> list[str]:
    """The marks' triggers: a lead assignment written, moved or ended; a case whose status, type, conclusion
    or outcome changed; a rating; a handling clock that stopped (or whose stop or due time moved)."""
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    stops = ", ".join(f"'{s}'" for s in (ClockTrigger.CONCLUDED, ClockTrigger.CLOSED))
    mark = f"INSERT INTO {MARKS} (mediator_id) VALUES"
    specs = [
        (
            "mediator_mark_assign_ins",
            "routing_caseassignment",
            "INSERT",
            "NEW.is_lead",
            [f"{mark} (NEW.mediator_id)"],
        ),
        (
            "mediator_mark_assign_upd",
            "routing_caseassignment",
            "UPDATE",
            f"(OLD.is_lead OR NEW.is_lead) AND {_changed('mediator_id', 'case_id', 'is_lead', 'ended_at')}",
            [f"{mark} (OLD.mediator_id)", f"{mark} (NEW.mediator_id)"],
        ),
        (
            "mediator_mark_assign_del",
            "routing_caseassignment",
            "DELETE",
            "OLD.is_lead",
            [f"{mark} (OLD.mediator_id)"],
        ),
        (
            "mediator_mark_case_upd",
            "cases_case",
            "UPDATE",
            f"{_changed('dispute_type_id', 'concluded_at', 'outcome')} OR "
            f"((OLD.status IN ({open_list})) <> (NEW.status IN ({open_list})))",
            [_mark_leads_of("NEW.id")],
        ),
        ("mediator_mark_rating_ins", "cases_rating", "INSERT", "", [_mark_leads_of("NEW.case_id")]),
        (
            "mediator_mark_rating_upd",
            "cases_rating",
            "UPDATE",
            _changed("case_id", "score"),
            [_mark_leads_of("OLD.case_id"), _mark_leads_of("NEW.case_id")],
        ),
        ("mediator_mark_rating_del", "cases_rating", "DELETE", "", [_mark_leads_of("OLD.case_id")]),
        (
            "mediator_mark_clock_ins",
            "cases_caseclock",
            "INSERT",
            f"NEW.code = 'handling' AND NEW.stopped_at IS NOT NULL AND NEW.stop_reason IN ({stops})",
            [_mark_leads_of("NEW.case_id")],
        ),
        (
            "mediator_mark_clock_upd",
            "cases_caseclock",
            "UPDATE",
            f"(OLD.code = 'handling' OR NEW.code = 'handling') AND "
            f"(OLD.stopped_at IS NOT NULL OR NEW.stopped_at IS NOT NULL) AND "
            f"{_changed('case_id', 'code', 'stopped_at', 'due_at', 'stop_reason')}",
            [_mark_leads_of("OLD.case_id"), _mark_leads_of("NEW.case_id")],
        ),
        (
            "mediator_mark_clock_del",
            "cases_caseclock",
            "DELETE",
            "OLD.code = 'handling' AND OLD.stopped_at IS NOT NULL",
            [_mark_leads_of("OLD.case_id")],
        ),
    ]
    statements = []
    for name, table, event, when, body in specs:
        statements += row_trigger_sql(conn, name=name, table=table, event=event, when=when, body=body)
    return statements


TABLES = ("routing_caseassignment", "cases_case", "cases_rating", "cases_caseclock", MARKS)


def install(using: str = "default") -> bool:
    """(Re)create the triggers; False if a table they need is missing (a migration not yet applied)."""
    conn = connections[using]
    if not set(TABLES) <= set(conn.introspection.table_names()):
        return False
    with conn.cursor() as cursor:
        for statement in trigger_ddl(conn):
            cursor.execute(statement)
    return True


def install_after_migrate(sender=None, using: str = "default", **kwargs) -> None:
    """Install the triggers; a database that had lead assignments before the summaries existed is counted
    once (``recount_tracks``)."""
    if not install(using) or using != "default":
        return
    if not MediatorLoad.objects.exists() and CaseAssignment.objects.filter(is_lead=True).exists():
        recount_tracks()
