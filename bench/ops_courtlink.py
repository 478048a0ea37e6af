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


@operation("courtlink.sweep", target_ms=500, writes=True, warmup=1)
def courtlink_sweep(env: Env):
    """The window sweep with nothing new to do (its usual run): backfill check, due warnings, lapses."""
    from courtlink.deadlines import sweep_confirmation_windows

    return lambda: sweep_confirmation_windows()
