"""The court hand-off: what the mediator's badge, the lazy case-page card and the window sweep cost (see
"Hand-offs to the court" in bench/README.md)."""

from bench.run import Env, operation


@operation("courtlink.work_counts", target_ms=30)
def courtlink_work_counts(env: Env):
    """The navigation badge: windows closing within COURTLINK_WARN_DAYS_BEFORE days of the supervisor's cases."""
    from accounts.access import roles_of
    from courtlink.selectors import work_counts

    user = env.supervisor
    return lambda: work_counts(user, roles_of(user), None)


@operation("courtlink.card", target_ms=100)
def courtlink_card(env: Env):
    """The case page's 司法确认与诉调对接 card, loaded by htmx after the page (a case with an agreement)."""
    from cases.lifecycle.models import Agreement
    from courtlink.selectors import handoff_card

    agreement = (
        Agreement.objects.filter(effective_on__isnull=False).select_related("case").order_by("-pk").first()
    )
    case = agreement.case if agreement else env.any_case
    return lambda: handoff_card(case, env.supervisor)


def _sweep_backlog() -> int:
    """Sweep until nothing is due, untimed: the generator makes agreements but no windows, so the first sweeps
    of a generated database backfill thousands of windows (the agreements of the last 90 days) and note
    their lapses, 500 of each kind per call. Answers the calls it took."""
    from courtlink.deadlines import sweep_confirmation_windows

    calls = 0
    while True:
        calls += 1
        done = sweep_confirmation_windows()
        if not (done.created or done.warned or done.lapsed):
            return calls


@operation("courtlink.sweep", target_ms=500, writes=True, warmup=1)
def courtlink_sweep(env: Env):
    """The window sweep with nothing new to do (its usual run, every hour): backfill check, due warnings,
    lapses. The backlog of a generated database is swept first (before session 9 every call of this
    operation backfilled or lapsed up to 500 windows of it, so it measured a backlog, not an idle sweep)."""
    from courtlink.deadlines import sweep_confirmation_windows

    _sweep_backlog()
    return lambda: sweep_confirmation_windows()


@operation("courtlink.sweep_500_lapses", target_ms=500, writes=True, warmup=1)
def courtlink_sweep_500_lapses(env: Env):
    """The sweep with a backlog of 500 windows that closed unapplied: 500 marks, each with its timeline
    event (sealed, records/) and the timeline's hooks.

    Before each call the 500 newest lapsed windows are made unlapsed again (``lapsed_at`` NULL), so each call
    notes the same 500 lapses; the end puts their ``lapsed_at`` back. The events the calls wrote stay (the
    timeline is append-only), as do the search queue rows the hook added."""
    from courtlink.deadlines import sweep_confirmation_windows
    from courtlink.models import ConfirmationDeadline
    from mediation_center.dialect import update_rows

    _sweep_backlog()
    rows = list(
        ConfirmationDeadline.objects.filter(lapsed_at__isnull=False, applied_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", "lapsed_at")[:500]
    )
    ids = [pk for pk, _at in rows]

    def prepare():
        ConfirmationDeadline.objects.filter(pk__in=ids).update(lapsed_at=None)

    def call():
        done = sweep_confirmation_windows()
        assert done.lapsed == len(rows), done  # (500 in a generated database; fewer in a test's small one)

    def restore():
        update_rows(ConfirmationDeadline, ["lapsed_at"], rows)

    return prepare, call, restore
