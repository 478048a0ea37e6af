"""Group-incident precursors (集体访, 群体性事件 risk, 越级上访, 重复访) per place, and the people coming back.

One fold (``fold``) turns the flagged cases of a subtree and their applicants into the page's figures. The
detection run folds every center's subtree at once (``snapshots``: one query over the flagged cases of the
window, one over their applicants, then Python) and stores the result per subtree root
(``PrecursorSnapshot``), so the 研判 page reads one row whatever the number of cases; ``live`` folds the
same figures straight from the cases, for a viewer whose scope is several subtrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count

from cases.core.identity import mask_id_number, mask_name, mask_phone
from cases.core.models import Case, Party

DAYS = 90
PEOPLE_LIMIT = 20
PEOPLE_ROWS = 5000  # applicants read per subtree (the first by case id)
ALL = "all"  # the key of the snapshot over every center (a superuser's scope)


def fold(
    rows: Iterable[tuple], people_rows: Iterable[tuple], *, limit: int = PEOPLE_LIMIT
) -> tuple[list, list]:
    """``rows``: (center path, 集体访, 群体性事件, 越级上访, repeat count, n); ``people_rows``: (name, ID number,
    phone, case id, the case's center short name), by case id. The places (most cases first, then by id,
    without names) and the masked people with two or more cases (most first)."""
    from risk.detection import cell_of

    places: dict[int, dict] = {}
    for path, is_group, mass, upward, repeat, n in rows:
        town = cell_of(path)
        place = places.setdefault(
            town, {"center_id": town, "group": 0, "mass": 0, "upward": 0, "repeat": 0, "total": 0}
        )
        place["group"] += n if is_group else 0
        place["mass"] += n if mass else 0
        place["upward"] += n if upward else 0
        place["repeat"] += n if repeat else 0
        place["total"] += n
    people: dict[str, dict] = {}
    for name, id_number, phone, case_id, place_name in people_rows:
        key = id_number or phone or name
        person = people.setdefault(
            key,
            {
                "name": mask_name(name),
                "id_number": mask_id_number(id_number),
                "phone": mask_phone(phone),
                "cases": set(),
                "places": set(),
            },
        )
        person["cases"].add(case_id)
        person["places"].add(place_name or "")
    coming_back = sorted(
        (
            {**p, "count": len(p["cases"]), "places": "、".join(sorted(p["places"]))}
            for p in people.values()
            if len(p["cases"]) >= 2
        ),
        key=lambda p: -p["count"],
    )[:limit]
    for person in coming_back:
        del person["cases"]
    return sorted(places.values(), key=lambda p: (-p["total"], p["center_id"])), coming_back


def _flagged(since: dt.datetime):
    from risk.detection import GROUP_Q

    return Case.objects.filter(GROUP_Q, created_at__gte=since)


def _applicants(cases):
    return (
        Party.objects.filter(role=Party.Role.APPLICANT, case__in=cases.values("pk"))
        .values_list("name", "id_number", "phone", "case_id", "case__center__short_name")
        .order_by("case_id", "pk")
    )


def live(center_ids: list[int] | None, *, now: dt.datetime, days: int = DAYS, limit: int = PEOPLE_LIMIT):
    """The figures over ``center_ids`` (None: every center) read from the cases themselves (three queries)."""
    from accounts.models import Center
    from risk.models import center_label

    cases = _flagged(now - dt.timedelta(days=days))
    if center_ids is not None:
        cases = cases.filter(center_id__in=center_ids)
    rows = (
        cases.values_list(
            "center__path", "is_group", "risk_mass_incident", "risk_upward_petition", "repeat_count"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    places, people = fold(rows, _applicants(cases)[:PEOPLE_ROWS], limit=limit)
    names = {c.pk: center_label(c) for c in Center.objects.filter(pk__in=[p["center_id"] for p in places])}
    for place in places:
        place["name"] = names.get(place["center_id"], "")
    return places, people


def snapshots(now: dt.datetime, paths: dict[int, str], *, days: int = DAYS, limit: int = PEOPLE_LIMIT):
    """Every subtree's figures at once: {root center id, or ALL: (places with names, people)}, for the
    roots holding a flagged case of the window. Two queries; each case counts for every center of its
    path and for ALL, and each root reads its first ``PEOPLE_ROWS`` applicants, as ``live`` does."""
    from accounts.models import Center
    from risk.models import center_label

    cases = _flagged(now - dt.timedelta(days=days))
    flagged = list(
        cases.values_list(
            "pk", "center_id", "is_group", "risk_mass_incident", "risk_upward_petition", "repeat_count"
        ).iterator(chunk_size=5000)
    )
    roots_of: dict[int, list] = {}
    rows: dict[object, list] = {}
    for pk, center_id, is_group, mass, upward, repeat in flagged:
        path = paths[center_id]
        roots = [int(part) for part in path.strip("/").split("/") if part] + [ALL]
        roots_of[pk] = roots
        for root in roots:
            rows.setdefault(root, []).append((path, is_group, mass, upward, repeat, 1))
    people_rows: dict[object, list] = {}
    for row in _applicants(cases).iterator(chunk_size=5000):
        for root in roots_of.get(row[3], ()):
            kept = people_rows.setdefault(root, [])
            if len(kept) < PEOPLE_ROWS:
                kept.append(row)
    folded = {
        root: fold(root_rows, people_rows.get(root, ()), limit=limit) for root, root_rows in rows.items()
    }
    place_ids = {p["center_id"] for places, _people in folded.values() for p in places}
    names = {
        c.pk: center_label(c)
        for c in Center.objects.filter(pk__in=list(place_ids)).only("name", "short_name")
    }
    for places, _people in folded.values():
        for place in places:
            place["name"] = names.get(place["center_id"], "")
    return folded
