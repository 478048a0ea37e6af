"""Operations of the rollups area (cases/rollups): the dashboard's own refresh, the case list the
dashboard's links open, folding the rollups' pending deltas. See "Rollups" in bench/README.md."""

from django.urls import reverse

from bench.run import Env, operation, page

# The dashboard's figures alone, as its every-minute refresh (htmx) asks for them.
page("dashboard.live", "supervisor", lambda env: reverse("cases:warnings_dashboard_live"), target_ms=50)
# The list a red bar of the dashboard opens: the county's open red cases.
page("case_list.red_link", "supervisor", lambda env: reverse("cases:list") + "?open=1&lv=4", target_ms=25)


@operation("rollups.fold_idle", target_ms=2)
def rollups_fold_idle(env: Env):
    """The sweep's fold when nothing changed since the last one (every minute): one query."""
    from cases.rollups.services import fold_rollups

    fold_rollups()
    return fold_rollups


@operation("rollups.fold_100", writes=True)
def rollups_fold_100(env: Env):
    """Folding a minute's worth of changes: 100 cases of the county change level (200 deltas)."""
    from cases.core.models import Case
    from cases.rollups.services import fold_rollups

    levels = dict(
        Case.objects.filter(center=env.county, status="in_mediation").values_list("pk", "warning_level")[:100]
    )
    turn = [0]

    def prepare():
        turn[0] += 1  # every case one level on (mod 5): each call folds 200 deltas
        for pk, level in levels.items():
            Case.objects.filter(pk=pk).update(warning_level=(level + turn[0]) % 5)

    def teardown():
        for pk, level in levels.items():
            Case.objects.filter(pk=pk).update(warning_level=level)
        fold_rollups()

    return prepare, fold_rollups, teardown
