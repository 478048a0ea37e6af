"""Operations of the rollups area (cases/rollups): the dashboard's own refresh, the case list the
dashboard's links open, folding the rollups' pending deltas. See "Rollups" in bench/README.md."""

import os

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


# --- The dashboard right after an escalation wave (issue 17 item 1) -------------------------------------
WAVE_CASES = 10_000  # the newest open cases, as sweep.10000_escalating picks them
WAVES = int(os.environ.get("BENCH_WAVES", "14"))  # 14 × 20,000 deltas: about what 1M held after the sweeps


def _wave_sql() -> str:
    """The deltas the rollups' trigger writes when each of the cases ``%s`` moves one level on and, the next
    wave, back (−1 old, +1 new per change; ``cases.rollups.triggers``' row), ``%s`` pairs of waves, in one
    INSERT: an UPDATE per wave took 4–19 s on the loaded machine. The rollups stay equal to the cases."""
    from django.db import connection

    from cases.core.states import Outcome
    from mediation_center.dialect import local_date_sql

    success = ", ".join(f"'{code}'" for code in Outcome.resolved())
    return (
        "INSERT INTO cases_rollupdelta (center_id, status, level, channel, created_day, concluded_day, "
        "success, money, sign) "
        "SELECT c.center_id, c.status, (c.warning_level + w.shift) %% 5, COALESCE(c.channel_id, 0), "
        f"{local_date_sql('c.created_at', connection)}, {local_date_sql('c.concluded_at', connection)}, "
        f"c.outcome IN ({success}), COALESCE(c.money_covered, 0), w.sign "
        "FROM cases_case c CROSS JOIN (VALUES (0, -1), (1, 1), (1, -1), (0, 1)) AS w(shift, sign) "
        "CROSS JOIN generate_series(1, %s) AS g(i) WHERE c.id = ANY(%s)"
    )


def _after_wave(name: str, url: str):
    """The dashboard read again and again while an escalation wave's deltas are pending. Set up once: the
    pending deltas folded, then ``WAVES`` waves of level changes over the newest 10,000 open cases (~20,000
    deltas a wave, the county's share in its subtree; see ``_wave_sql``), none folded. No warm-up call: the
    first read after the wave is the one whose queries are counted (``first_ms``: where the reader folds its
    subtree, that read pays for it and its queries include the fold's), the timed reads follow."""

    @operation(name, target_ms=50, warmup=0)
    def setup(env: Env):
        from django.db import connection

        from cases.core.models import Case
        from cases.core.states import OPEN_STATUSES
        from cases.rollups.services import fold_rollups

        fold_rollups()
        ids = list(
            Case.objects.filter(status__in=OPEN_STATUSES)
            .order_by("-id")
            .values_list("id", flat=True)[:WAVE_CASES]
        )
        with connection.cursor() as cursor:
            cursor.execute(_wave_sql(), [WAVES // 2, ids])
        client = env.client("supervisor")
        address = reverse(url)

        def read():
            response = client.get(address)
            if response.status_code != 200:
                raise AssertionError(f"{name}: GET {address} answered {response.status_code}")

        def teardown():
            fold_rollups()
            if not connection.in_atomic_block:  # the tests run each operation inside one transaction
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE) cases_rollupdelta")

        return (lambda: None), read, teardown

    return setup


_after_wave("dashboard.county_after_wave", "cases:warnings_dashboard")
_after_wave("dashboard.live_after_wave", "cases:warnings_dashboard_live")
