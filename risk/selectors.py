"""Reads of 研判预警 for the page, the export and the API; each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from accounts.access import centers_below, roles_of
from accounts.models import User
from cases.core.access import cases_visible_to
from cases.core.models import Case, DisputeType, WarningLevel
from risk import precursors
from risk.access import WORKERS, signals_visible_to, supervised_center_ids
from risk.events import label_for
from risk.models import (
    CellSnapshot,
    FollowUpTask,
    PrecursorSnapshot,
    RespondentSnapshot,
    RiskSignal,
    SignalEvent,
    center_label,
    explain,
    type_label,
)

TREND_WEEKS = 12
TOP_TYPES = 4
LIST_LIMIT = 200


def _in_subtree(qs, user: User, field: str = "center_id"):
    ids = supervised_center_ids(user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def open_signals(user: User, *, level: int | None = None, limit: int = LIST_LIMIT) -> list[RiskSignal]:
    qs = (
        signals_visible_to(user)
        .exclude(state=RiskSignal.State.CLOSED)
        .select_related("center", "dispute_type", "assignee")
        .annotate(n_cases=Count("signal_cases", distinct=True))
        .order_by("-level", "-last_detected_at", "pk")
    )
    if level:
        qs = qs.filter(level=level)
    signals = list(qs[:limit])
    for signal in signals:
        signal.explanation = explain(signal)
    return signals


def open_signal_count(user: User) -> int:
    return signals_visible_to(user).exclude(state=RiskSignal.State.CLOSED).count()


def by_level(signals: list[RiskSignal]) -> list[dict]:
    groups = []
    for level in (WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW, WarningLevel.BLUE):
        rows = [s for s in signals if s.level == level]
        groups.append({"level": int(level), "label": WarningLevel(level).label, "signals": rows})
    return groups


def cell_snapshots(user: User) -> list[CellSnapshot]:
    """The last run's cells in ``user``'s subtree, by place and type. A cell is a town or a county's own
    center, so the subtree's centers are narrowed to those first (their paths, one index read of the
    subtree): the snapshot read is then a few index probes, not a scan of every county's cells."""
    from risk.detection import cell_of

    qs = CellSnapshot.objects.select_related("center", "dispute_type")
    ids = supervised_center_ids(user)
    if ids is not None:
        from accounts.models import Center

        paths = Center.objects.filter(pk__in=ids).values_list("pk", "path")
        qs = qs.filter(center_id__in=sorted({cell_of(path) for _pk, path in paths} & set(ids)))
    return list(qs.order_by("center__path", "dispute_type__ordering", "dispute_type__code"))


def heat_grid(user: User, snaps: list[CellSnapshot] | None = None) -> dict:
    """Towns × dispute types, each cell's rise over its baseline (from the last detection run)."""
    snaps = cell_snapshots(user) if snaps is None else snaps
    towns, types = {}, {}
    for snap in snaps:
        towns.setdefault(snap.center_id, center_label(snap.center))
        types.setdefault(snap.dispute_type_id, type_label(snap.dispute_type))
    town_ids, type_ids = list(towns), list(types)
    x_of = {pk: i for i, pk in enumerate(type_ids)}
    y_of = {pk: i for i, pk in enumerate(town_ids)}
    cells = [
        {
            "x": x_of[s.dispute_type_id],
            "y": y_of[s.center_id],
            "town": towns[s.center_id],
            "type_name": types[s.dispute_type_id],
            "rise": round(s.rise, 2),
            "k7": s.count_7,
            "k30": s.count_30,
            "baseline": round(s.baseline_weekly, 1),
            "center": s.center_id,
            "type": s.dispute_type_id,
        }
        for s in snaps
    ]
    computed = max((s.computed_at for s in snaps), default=None)
    return {
        "towns": [towns[i] for i in town_ids],
        "town_ids": town_ids,
        "types": [types[i] for i in type_ids],
        "type_ids": type_ids,
        "cells": cells,
        "computed_at": computed,
    }


def trends(user: User, *, weeks: int = TREND_WEEKS, snaps: list[CellSnapshot] | None = None) -> list[dict]:
    """Weekly new cases per dispute type (oldest first), with the baseline band (mean ± 2√mean)."""
    snaps = cell_snapshots(user) if snaps is None else snaps
    per_type: dict[int, dict] = {}
    for snap in snaps:
        row = per_type.setdefault(
            snap.dispute_type_id,
            {
                "type": type_label(snap.dispute_type),
                "type_id": snap.dispute_type_id,
                "weekly": [0] * weeks,
                "baseline": 0.0,
            },
        )
        for i, n in enumerate(snap.weekly[:weeks]):
            row["weekly"][i] += n
        row["baseline"] += snap.baseline_weekly
    rows = sorted(per_type.values(), key=lambda r: (-sum(r["weekly"]), r["type"]))[:TOP_TYPES]
    for row in rows:
        row["weekly"] = list(reversed(row["weekly"]))
        base = row["baseline"]
        row["baseline"] = round(base, 2)
        row["low"] = round(max(0.0, base - 2 * math.sqrt(base)), 2)
        row["high"] = round(base + 2 * math.sqrt(base), 2)
    return rows


def week_labels(now: dt.datetime | None = None, weeks: int = TREND_WEEKS) -> list[str]:
    today = timezone.localdate(now or timezone.now())
    return [(today - dt.timedelta(days=7 * i + 6)).strftime("%m-%d") for i in reversed(range(weeks))]


def top_respondents(user: User, limit: int = 10) -> list[RespondentSnapshot]:
    return list(_in_subtree(RespondentSnapshot.objects.all(), user).order_by("-open_count", "key")[:limit])


def _single_root(user: User) -> str | None:
    """The key of the one subtree ``user`` supervises (``all`` for a superuser); None for several."""
    if user.is_superuser:
        return precursors.ALL
    centers = roles_of(user).centers(*WORKERS)
    roots = {c.pk for c in centers if not any(o.pk != c.pk and c.path.startswith(o.path) for o in centers)}
    return str(roots.pop()) if len(roots) == 1 else None


def group_precursors(user: User, *, now: dt.datetime | None = None, days: int = precursors.DAYS) -> dict:
    """Per place, the cases flagged 集体访 / 群体性事件 / 越级上访 / 重复访, and the people coming back (masked).

    A viewer supervising one subtree (the usual case) reads the last detection run's figures for it: one
    row, whatever the number of cases (empty before the first run, like the heat grid). A viewer over
    several subtrees, or asking another window, gets them folded from the cases (three queries)."""
    root = _single_root(user) if now is None and days == precursors.DAYS else None
    if root is not None:
        snap = PrecursorSnapshot.objects.filter(root=root).first()
        places, people = (snap.places, snap.people) if snap else ([], [])
        return {"places": places, "people": people, "days": days}
    places, people = precursors.live(supervised_center_ids(user), now=now or timezone.now(), days=days)
    return {"places": places, "people": people, "days": days}


def board(user: User, *, level: int | None = None) -> dict:
    signals = open_signals(user, level=level)
    snaps = cell_snapshots(user)
    return {
        "signals": signals,
        "by_level": by_level(signals),
        "grid": heat_grid(user, snaps),
        "trends": trends(user, snaps=snaps),
        "weeks": week_labels(),
        "respondents": top_respondents(user),
        "groups": group_precursors(user),
    }


def signal_page(signal: RiskSignal, user: User) -> dict:
    """The signal with its cases (those the viewer may see), conferences, tasks and timeline."""
    visible = cases_visible_to(user).filter(risk_signal_links__signal=signal)
    cases = list(visible.select_related("center", "dispute_type").order_by("-created_at")[:LIST_LIMIT])
    events = list(
        SignalEvent.objects.filter(signal=signal).select_related("actor").order_by("created_at", "pk")
    )
    for event in events:
        event.label = label_for(event.type)
    conferences = list(signal.conferences.select_related("conference__case", "conference__recorded_by"))
    tasks = list(FollowUpTask.objects.filter(signal=signal).select_related("owner"))
    return {
        "signal": signal,
        "explanation": explain(signal),
        "cases": cases,
        "visible_total": visible.count() if len(cases) == LIST_LIMIT else len(cases),
        "list_limit": LIST_LIMIT,
        "events": events,
        "conferences": conferences,
        "tasks": tasks,
    }


def cases_for_cell(user: User, *, center_id: int | None, dispute_type_id: int | None, days: int = 30):
    """The click-through of a heat-grid cell or a trend: cases of that town (or all the viewer's centers)
    and type in the last days."""
    from accounts.models import Center

    qs = cases_visible_to(user).filter(created_at__gte=timezone.now() - dt.timedelta(days=days))
    if center_id is not None:
        center = Center.objects.filter(pk=center_id).first()
        if center is None:
            return Case.objects.none()
        qs = qs.filter(center_id__in=list(centers_below([center]).values_list("pk", flat=True)))
    if dispute_type_id:
        qs = qs.filter(dispute_type_id=dispute_type_id)
    return qs


def cases_for_respondent(user: User, key: str):
    snap = _in_subtree(RespondentSnapshot.objects.filter(key=key), user).first()
    if snap is None:
        return None, Case.objects.none()
    return snap, cases_visible_to(user).filter(pk__in=snap.case_ids)


def type_name(pk) -> str:
    return DisputeType.objects.filter(pk=pk).values_list("name", flat=True).first() or gettext("全部类型")
