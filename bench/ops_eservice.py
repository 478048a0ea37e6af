"""Electronic service: what the case page's 文书送达 card and the unopened sweep cost (see "Electronic
service" in bench/README.md)."""

from bench.run import Env, operation
from cases.core.models import Case


def _case(env: Env) -> Case:
    case = (
        Case.objects.filter(center__path__startswith=env.county.path, document_services__isnull=False)
        .order_by("-pk")
        .first()
        or Case.objects.filter(center__path__startswith=env.county.path).order_by("-pk").first()
    )
    if case is None:
        raise SystemExit("no cases: run `manage.py generate_data` first")
    return case


@operation("eservice.board", target_ms=60)
def eservice_board(env: Env):
    """The card htmx loads into the case page: status per party per servable document (five queries)."""
    from eservice.selectors import service_board

    pk = _case(env).pk

    def board():
        return service_board(Case.objects.select_related("center").get(pk=pk), can_write=True)

    return board


@operation("eservice.sweep_idle", target_ms=30)
def eservice_sweep_idle(env: Env):
    """The periodic sweep when nothing is due: one indexed query (the partial index on open_due_at)."""
    from eservice.services import flag_unopened_services

    return flag_unopened_services
