"""Hotspot detection: which places, dispute types and respondents rise beyond their own history.

Method (also in README.md, "研判预警"):

* A **cell** is a town's subtree (the town and its villages; a county's own cases form the county's cell)
  × a dispute type. Its new cases are counted in the last 7 days (k7), the last 30 days (k30) and in the
  **baseline**: the 12 weeks before those 30 days (days 30–114 back), so a surge never raises its own
  baseline. The expected weekly count λ is the larger of the baseline's weekly mean and the weekly mean of
  the same four weeks one year earlier (the **seasonal** term: wage disputes before the Spring Festival
  are normal there every year), floored at ``RISK_MIN_BASELINE``.
* A cell is unusual when, under a Poisson law with that mean, P(X ≥ k7 | λ) or P(X ≥ k30 | λ·30/7) is
  below ``RISK_POISSON_P`` (default 0.001: a county has ~200 cells, so 0.01 would raise about two false
  alarms a night) and the count is at least ``RISK_MIN_CASES``.
* Its level grows with the rise (k/expected ≥ ``RISK_RISE_LEVELS``: yellow, orange, red; blue below) and
  is at least the highest risk level of its cases (cases/warnings/levels.py: people, money, violence,
  mass-incident and upward-petition flags, police calls).
* A **respondent** (the same unified social credit code, the same ID number, or the same organisation name
  after normalisation: NFKC, no spaces or punctuation, case-folded) against whom ``RISK_RESPONDENT_OPEN_THRESHOLD``
  or more cases are open raises a signal (yellow; orange at twice, red at three times the threshold).
* **Group-incident precursors**: the cases of the last 30 days in a town's subtree flagged 集体访,
  可能引发群体性事件, 可能越级上访 or a repeat visit (重复访); ``RISK_GROUP_THRESHOLD`` of them raise a signal.

Everything is read in a fixed number of set-based queries (one aggregate over the cells, one over
respondents, one over the precursors, then one per flagged finding for its cases); the rest is Python.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Q

from accounts.models import Center
from cases.core.models import Case, Party, WarningLevel
from cases.core.states import OPEN_STATUSES

L = WarningLevel
WEEKS = 17  # weeks of history kept per cell for the trend lines (0 = the last 7 days)
BASELINE_START_DAYS, BASELINE_END_DAYS = 30, 114  # the 12 weeks before the last 30 days
SEASON_FROM_DAYS, SEASON_TO_DAYS = 350, 378  # the same four weeks one year earlier
GROUP_Q = Q(is_group=True) | Q(risk_mass_incident=True) | Q(risk_upward_petition=True) | Q(repeat_count__gt=0)


# --- pure functions ----------------------------------------------------------------------------
def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if lam > 500:  # normal approximation with continuity correction, clear of exp underflow
        z = (k - 0.5 - lam) / math.sqrt(lam)
        return 0.5 * math.erfc(z / math.sqrt(2))
    term = math.exp(-lam)
    below = term
    for i in range(1, k):
        term *= lam / i
        below += term
    return max(0.0, 1.0 - below)


def expected_weekly(baseline_count: int, season_count: int) -> float:
    return max(baseline_count / 12, season_count / 4, settings.RISK_MIN_BASELINE)


def rise_level(rise: float) -> int:
    yellow, orange, red = settings.RISK_RISE_LEVELS
    if rise >= red:
        return L.RED
    if rise >= orange:
        return L.ORANGE
    if rise >= yellow:
        return L.YELLOW
    return L.BLUE


def count_level(count: int, threshold: int) -> int:
    if count >= 3 * threshold:
        return L.RED
    if count >= 2 * threshold:
        return L.ORANGE
    return L.YELLOW


@dataclass
class CellFigures:
    k7: int
    k30: int
    baseline_count: int
    season_count: int

    @property
    def lam(self) -> float:
        return expected_weekly(self.baseline_count, self.season_count)

    @property
    def rise(self) -> float:
        return max(self.k7 / self.lam, self.k30 / (self.lam * 30 / 7))

    @property
    def unusual(self) -> bool:
        p, least = settings.RISK_POISSON_P, settings.RISK_MIN_CASES
        by_week = self.k7 >= least and poisson_tail(self.k7, self.lam) < p
        by_month = self.k30 >= least and poisson_tail(self.k30, self.lam * 30 / 7) < p
        return by_week or by_month


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\W_]+", "", text).casefold()


def common_center(paths: list[str]) -> int | None:
    """The deepest center whose subtree holds every path (paths look like ``/1/5/9/``)."""
    if not paths:
        return None
    split = [p.strip("/").split("/") for p in paths]
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return int(common[-1]) if common else None


def cell_of(path: str) -> int:
    """A center's cell: its town (the second step of its path), or the county itself."""
    parts = path.strip("/").split("/")
    return int(parts[1] if len(parts) > 1 else parts[0])


# --- findings ----------------------------------------------------------------------------------
@dataclass
class Finding:
    key: str
    kind: str
    center_id: int
    level: int
    case_ids: list[int]
    dispute_type_id: int | None = None
    respondent_name: str = ""
    count_7: int = 0
    count_30: int = 0
    open_count: int = 0
    baseline_weekly: float = 0.0
    facts: dict = field(default_factory=dict)


@dataclass
class Detection:
    findings: list[Finding]
    cells: dict[tuple[int, int], tuple[list[int], CellFigures]]  # (town, type) -> (weekly, figures)
    respondents: list[dict]  # respondents with two or more open cases, most first


def _center_paths() -> dict[int, str]:
    return dict(Center.objects.values_list("pk", "path"))


def _cell_counts(
    now: dt.datetime, paths: dict[int, str]
) -> dict[tuple[int, int], tuple[list[int], CellFigures]]:
    day = dt.timedelta(days=1)
    since = now - WEEKS * 7 * day
    season = Q(created_at__gte=now - SEASON_TO_DAYS * day, created_at__lt=now - SEASON_FROM_DAYS * day)
    weeks = {
        f"w{i}": Count(
            "pk", filter=Q(created_at__gte=now - (i + 1) * 7 * day, created_at__lt=now - i * 7 * day)
        )
        for i in range(WEEKS)
    }
    rows = (
        Case.objects.filter(Q(created_at__gte=since, created_at__lt=now) | season)
        .values("center_id", "dispute_type_id")
        .annotate(
            **weeks,
            k30=Count("pk", filter=Q(created_at__gte=now - 30 * day, created_at__lt=now)),
            base=Count(
                "pk",
                filter=Q(
                    created_at__gte=now - BASELINE_END_DAYS * day,
                    created_at__lt=now - BASELINE_START_DAYS * day,
                ),
            ),
            season=Count("pk", filter=season),
        )
        .order_by()
    )
    cells: dict[tuple[int, int], list] = {}
    for row in rows:
        key = (cell_of(paths[row["center_id"]]), row["dispute_type_id"])
        acc = cells.setdefault(key, [[0] * WEEKS, 0, 0, 0])
        for i in range(WEEKS):
            acc[0][i] += row[f"w{i}"]
        acc[1] += row["k30"]
        acc[2] += row["base"]
        acc[3] += row["season"]
    return {
        key: (weekly, CellFigures(k7=weekly[0], k30=k30, baseline_count=base, season_count=season))
        for key, (weekly, k30, base, season) in cells.items()
    }


def _cases_of(q: Q) -> tuple[list[int], int]:
    """The ids of the matching cases and their highest risk level (one query)."""
    rows = list(Case.objects.filter(q).values_list("pk", "risk_level").order_by("pk"))
    return [pk for pk, _level in rows], max((level for _pk, level in rows), default=0)


def _cell_members(paths: dict[int, str]) -> dict[int, list[int]]:
    """The centers whose cases count in each cell: a town and its villages, or a county's own center."""
    members: dict[int, list[int]] = {}
    for pk, path in paths.items():
        members.setdefault(cell_of(path), []).append(pk)
    return members


def _respondents(paths: dict[int, str]) -> list[dict]:
    rows = Party.objects.filter(role=Party.Role.RESPONDENT, case__status__in=list(OPEN_STATUSES)).values_list(
        "case_id", "name", "kind", "id_number", "credit_code", "case__center_id", "case__risk_level"
    )
    rows = list(rows.iterator(chunk_size=5000))
    code_of_name: dict[str, str] = {}
    for _case, name, _kind, _idn, credit, _c, _r in rows:
        if credit:
            code_of_name.setdefault(normalise_name(name), credit.strip().upper())
    groups: dict[str, dict] = {}
    for case_id, name, kind, id_number, credit, center_id, risk in rows:
        norm = normalise_name(name)
        if credit:
            key = "cc:" + credit.strip().upper()
        elif norm in code_of_name:
            key = "cc:" + code_of_name[norm]
        elif id_number:
            key = "id:" + id_number.strip().upper()
        elif kind != Party.Kind.PERSON and norm:
            key = "nm:" + norm
        else:
            continue  # a person known by name alone: too many namesakes to count together
        group = groups.setdefault(key, {"key": key, "name": name, "cases": set(), "paths": [], "risk": 0})
        if case_id not in group["cases"]:
            group["cases"].add(case_id)
            group["paths"].append(paths[center_id])
        group["risk"] = max(group["risk"], risk)
    found = []
    for group in groups.values():
        if len(group["cases"]) >= 2:
            found.append(
                {
                    "key": group["key"],
                    "name": group["name"],
                    "open_count": len(group["cases"]),
                    "case_ids": sorted(group["cases"]),
                    "center_id": common_center(group["paths"]),
                    "risk": group["risk"],
                }
            )
    found.sort(key=lambda g: (-g["open_count"], g["key"]))
    return found


def detect(now: dt.datetime) -> Detection:
    """Every finding at ``now``, and the figures of every cell and repeated respondent."""
    paths = _center_paths()
    members = _cell_members(paths)
    day = dt.timedelta(days=1)
    findings: list[Finding] = []

    cells = _cell_counts(now, paths)
    for (town, type_id), (_weekly, fig) in sorted(cells.items()):
        if not fig.unusual:
            continue
        window = 7 if poisson_tail(fig.k7, fig.lam) < settings.RISK_POISSON_P else 30
        ids, risk = _cases_of(
            Q(center_id__in=members[town], dispute_type_id=type_id)
            & Q(created_at__gte=now - window * day, created_at__lt=now)
        )
        findings.append(
            Finding(
                key=f"cell:{town}:{type_id}",
                kind="cell",
                center_id=town,
                dispute_type_id=type_id,
                level=max(rise_level(fig.rise), risk),
                case_ids=ids,
                count_7=fig.k7,
                count_30=fig.k30,
                baseline_weekly=round(fig.lam, 2),
                facts={"window": window},
            )
        )

    respondents = _respondents(paths)
    threshold = settings.RISK_RESPONDENT_OPEN_THRESHOLD
    for group in respondents:
        if threshold and group["open_count"] >= threshold and group["center_id"]:
            findings.append(
                Finding(
                    key=f"respondent:{group['key']}",
                    kind="respondent",
                    center_id=group["center_id"],
                    respondent_name=group["name"][:100],
                    level=max(count_level(group["open_count"], threshold), group["risk"]),
                    case_ids=group["case_ids"],
                    open_count=group["open_count"],
                )
            )

    group_threshold = settings.RISK_GROUP_THRESHOLD
    if group_threshold:
        per_center = (
            Case.objects.filter(GROUP_Q, created_at__gte=now - 30 * day, created_at__lt=now)
            .values("center_id")
            .annotate(n=Count("pk"), risk=Max("risk_level"))
            .order_by()
        )
        towns: dict[int, int] = {}
        for row in per_center:
            town = cell_of(paths[row["center_id"]])
            towns[town] = towns.get(town, 0) + row["n"]
        for town, n in sorted(towns.items()):
            if n < group_threshold:
                continue
            ids, risk = _cases_of(
                GROUP_Q
                & Q(
                    center_id__in=members[town],
                    created_at__gte=now - 30 * day,
                    created_at__lt=now,
                )
            )
            findings.append(
                Finding(
                    key=f"group:{town}",
                    kind="group",
                    center_id=town,
                    level=max(count_level(n, group_threshold), risk),
                    case_ids=ids,
                    count_30=n,
                )
            )
    return Detection(findings=findings, cells=cells, respondents=respondents)
