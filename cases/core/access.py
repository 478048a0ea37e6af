"""Who may see and change which case. Views and the API never query cases directly.

A case the user may not see answers 404 (same as a missing one); one they may see but
not change answers 403.

- supervisors and admins: their centers and every center below (read and write);
- clerks: cases they registered, cases registered at their center, and their center's
  intake list (write only while the case is still at intake);
- mediators: cases assigned to them (read and write) and the unclaimed cases of their
  channel at their center (read; who may claim is routing's rule, ``routing.access``);
- grid workers (网格员, the grassroots app): what they registered (recorded or reported) and the cases
  assigned to them (read and write), as a mediator's assigned cases;
- department liaisons: no case page; they see a summoned case through their summons
  (``routing.access.summonses_visible_to``), which shows only what the department needs;
- anyone: per-case django-guardian grants (``view_case`` / ``change_case``), made only
  by ``routing.services.grant_case_access`` so each grant is on the timeline.

cases imports nothing from routing: the assignments are read through ``Case.assignments``
(``cases.core.assignments``), and routing's access rules build on these.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from guardian.models import GroupObjectPermission, UserObjectPermission

from accounts.access import roles_of
from accounts.models import Center, Membership, User
from cases.core.assignments import assigned_case_ids, is_claimed
from cases.core.models import Case
from cases.core.states import INTAKE_STATUSES, OPEN_STATUSES
from mediation_center.statements import ByPk

Role = Membership.Role


def is_staff_user(user: User) -> bool:
    """A signed-in member of staff (not a citizen); Django's ``is_staff`` is the admin-site flag, not this."""
    return user.is_authenticated and user.kind == User.Kind.STAFF


def _granted_case_ids(user: User, codename: str) -> list[int]:
    """Per-case grants, resolved to a (short) list first: a sub-select inside the visibility OR would
    keep PostgreSQL from using any index on cases (2.8 s → 0.3 s for a county list at 1M cases)."""
    rows = (
        UserObjectPermission.objects.filter(
            user=user,
            permission__codename=codename,
            content_type=ContentType.objects.get_for_model(Case),
        )
        .annotate(case_pk=Cast("object_pk", BigIntegerField()))
        .values_list("case_pk", flat=True)
    )
    return list(rows)


def unclaimed_in_channels_q(user: User, statuses) -> Q:
    """Unclaimed cases in ``statuses`` of the user's channels at the centers where they mediate: part of what
    a mediator may open, and the channel queue of ``routing.access`` (with the statuses that can be claimed)."""
    q = Q(pk__in=[])
    for m in roles_of(user).memberships_for(Role.MEDIATOR):
        part = Q(center=m.center_id, status__in=statuses)
        if m.channel_id:  # a mediator without a channel works every channel of the center
            part &= Q(channel=m.channel_id)
        q |= part
    return q & ~is_claimed()


def _visible_q(user: User, parts: tuple[list[int], Q] | None = None) -> Q:
    centers, rest = parts or visible_parts(user)
    return Q(center__in=centers) | rest


def visible_parts(user: User) -> tuple[list[int], Q]:
    """The visibility rule in two parts, for a list that reads a subtree center by center (the case list's
    first page, ``cases.core.keyset``): the ids of the centers whose every case the user may see (a
    supervisor's or admin's subtree), and the rest of the rule as a filter. Visible = a case of one of those
    centers, or a case the filter matches — the same as ``cases_visible_to``."""
    return roles_of(user).subtree_center_ids(Role.SUPERVISOR, Role.ADMIN), _visible_beyond_subtree_q(user)


def _visible_beyond_subtree_q(user: User) -> Q:
    return _center_bound_beyond_subtree_q(user) | _anywhere_q(user)


def _center_bound_q(user: User) -> Q:
    """The parts of what the user may open that are tied to the centers of their memberships: a supervisor's
    or admin's subtree, a clerk's center, a mediator's channel queue. Every such case lies in the tree (county)
    of one of those centers, since a case only ever moves to its center's parent or children."""
    subtree = roles_of(user).subtree_q("center", Role.SUPERVISOR, Role.ADMIN)
    return subtree | _center_bound_beyond_subtree_q(user)


def _center_bound_beyond_subtree_q(user: User) -> Q:
    """A clerk's center and a mediator's channel queue (the center-bound parts past a subtree)."""
    roles = roles_of(user)
    q = Q(pk__in=[])
    for m in roles.memberships_for(Role.CLERK):
        q |= Q(origin_center=m.center) | Q(center=m.center, status__in=INTAKE_STATUSES)
    if roles.memberships_for(Role.MEDIATOR, Role.GRID_WORKER):
        q |= unclaimed_in_channels_q(user, OPEN_STATUSES)
    return q


def _anywhere_q(user: User) -> Q:
    """The parts that may lie in any county: what the user registered, works now, or was granted."""
    q = Q(registered_by=user)
    if roles_of(user).memberships_for(Role.MEDIATOR, Role.GRID_WORKER):
        q |= Q(pk__in=assigned_case_ids(user))
    q |= Q(pk__in=_granted_case_ids(user, "view_case"))
    return q


def _writable_q(user: User) -> Q:
    roles = roles_of(user)
    q = roles.subtree_q("center", Role.SUPERVISOR, Role.ADMIN)
    for m in roles.memberships_for(Role.CLERK):
        q |= Q(center=m.center, status__in=INTAKE_STATUSES)
    if roles.memberships_for(Role.MEDIATOR, Role.GRID_WORKER):
        q |= Q(pk__in=assigned_case_ids(user))
    q |= Q(pk__in=_granted_case_ids(user, "change_case"))
    return q


def cases_visible_to(user: User, parts: tuple[list[int], Q] | None = None) -> QuerySet[Case]:
    """Every case the user may open, as one filter (no per-row checks); ``parts``: ``visible_parts(user)``
    when the caller has it already."""
    if not is_staff_user(user):
        return Case.objects.none()
    # Every condition is on the case row or a pk subquery, so no row can appear twice: no DISTINCT.
    return Case.objects.filter(_visible_q(user, parts))


def visibility_by_county(user: User) -> tuple[list[int], QuerySet[Case], QuerySet[Case]]:
    """The same rule as ``cases_visible_to``, split for reads that walk an index kept per county (search):
    ``(counties, visible, anywhere)``, where ``counties`` are the root centers of the user's memberships,
    ``visible`` is ``cases_visible_to(user)`` and ``anywhere`` the visible cases that may lie outside those
    counties (registered by, assigned to or granted to the user). Every case the user may open is in
    ``visible`` restricted to ``counties``, or in ``anywhere``; both are within the rule."""
    if not is_staff_user(user):
        return [], Case.objects.none(), Case.objects.none()
    counties = sorted({m.center.root_id for m in roles_of(user).memberships} - {None})
    anywhere = _anywhere_q(user)  # one read of the grants, shared by both querysets
    return counties, Case.objects.filter(_center_bound_q(user) | anywhere), Case.objects.filter(anywhere)


def _surely_writable(user: User, case: Case) -> bool:
    """The parts of ``_writable_q`` decided by what the request has loaded already (no query): a
    supervisor's or admin's subtree, a clerk's center while the case is at intake. False means "ask
    the database", not "no"."""
    roles = roles_of(user)
    if case.center_id in roles.subtree_center_ids(Role.SUPERVISOR, Role.ADMIN):
        return True
    return case.status in INTAKE_STATUSES and any(
        m.center_id == case.center_id for m in roles.memberships_for(Role.CLERK)
    )


def can_change(user: User, case: Case) -> bool:
    if not is_staff_user(user):
        return False
    return _surely_writable(user, case) or Case.objects.filter(_writable_q(user), pk=case.pk).exists()


def object_grants(user: User, case: Case, codename: str) -> dict[str, QuerySet]:
    """The per-case grant rows of ``user`` on ``case`` (their own, and their groups'), as querysets for a
    page to load with its other reads (``cases.core.batch``), then answered by ``can_change_loaded`` and
    ``granted_loaded``."""
    case_type = ContentType.objects.get_for_model(Case)
    where = {"permission__codename": codename, "content_type": case_type, "object_pk": str(case.pk)}
    return {
        "user_grants": UserObjectPermission.objects.filter(user=user, **where),
        "group_grants": GroupObjectPermission.objects.filter(group__user=user, **where),
    }


def granted_loaded(user: User, *, user_grants: list, group_grants: list) -> bool:
    """``user.has_perm(perm, case)`` (django-guardian's object check, which follows Django's: an inactive
    user has none, a superuser every one) from the rows of ``object_grants``."""
    if not user.is_active:
        return False
    return user.is_superuser or bool(user_grants) or bool(group_grants)


def can_change_loaded(user: User, case: Case, *, active_assignments: list, user_grants: list) -> bool:
    """``can_change`` from what the case page loaded: the case's active assignments and the user's own
    ``change_case`` grant rows on it (``object_grants``), without a query. The same rule as ``_writable_q``."""
    if not is_staff_user(user):
        return False
    if _surely_writable(user, case):
        return True
    if roles_of(user).memberships_for(Role.MEDIATOR, Role.GRID_WORKER) and any(
        a.mediator_id == user.pk for a in active_assignments
    ):
        return True
    return bool(user_grants)


def supervises(user: User | None, center: Center) -> bool:
    """Whether the user is a supervisor or admin at ``center`` or a center above it (the one statement of
    "supervisor of the case": callers pass ``case.center``)."""
    if not getattr(user, "is_authenticated", False) or not is_staff_user(user):
        return False
    return any(center.path.startswith(c.path) for c in roles_of(user).centers(Role.SUPERVISOR, Role.ADMIN))


def get_case_for_user(
    user: User, pk: int, *, write: bool = False, queryset: "QuerySet[Case] | ByPk | None" = None
) -> Case:
    """The case if ``user`` may see it (404 otherwise); with ``write=True`` also 403 unless they may change it.

    ``queryset`` may be a ``ByPk`` (mediation_center/statements.py): a supervisor's read of the row by its
    primary key then runs its compiled SQL."""
    by_pk = queryset if isinstance(queryset, ByPk) else None
    if by_pk is not None:
        queryset = by_pk.queryset
    base = queryset if queryset is not None else Case.objects.all()
    if is_staff_user(user) and roles_of(user).has(Role.SUPERVISOR, Role.ADMIN):
        # A supervisor mostly opens cases of their subtree: read the case, check its center against the
        # subtree ids (part of ``_visible_q``) and only ask for the rest of the rule when it lies outside.
        # A queryset that selects the center lets its path answer that without the subtree's ids.
        case = by_pk.first(pk) if by_pk is not None else base.filter(pk=pk).first()
        center = case._state.fields_cache.get("center") if case is not None else None
        if case is not None and not (
            (
                supervises(user, center)
                if center is not None
                else case.center_id in roles_of(user).subtree_center_ids(Role.SUPERVISOR, Role.ADMIN)
            )
            or cases_visible_to(user).filter(pk=pk).exists()
        ):
            case = None
    else:
        case = base.filter(pk=pk).filter(pk__in=cases_visible_to(user).values("pk")).first()
    if case is None:
        raise Http404
    if write and not can_change(user, case):
        raise PermissionDenied
    return case


def can_see(user: User, case: Case) -> bool:
    """Whether ``user`` may open ``case`` (one query), for answers that must not name what they cannot see."""
    return is_staff_user(user) and cases_visible_to(user).filter(pk=case.pk).exists()


def may_verify_identity(user: User, case: Case) -> bool:
    """核验身份 (checking a party's ID in person) is the counter's work: clerks of the case's center."""
    return is_staff_user(user) and any(
        m.center_id == case.center_id for m in roles_of(user).memberships_for(Role.CLERK)
    )


def may_review_reveals(user: User) -> bool:
    """The list of reveals (查看完整证件号/电话) is for supervisors and admins; each sees their centers' subtree."""
    return is_staff_user(user) and roles_of(user).has(Role.SUPERVISOR, Role.ADMIN)
