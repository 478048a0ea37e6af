"""Rules stated once: each status group in cases/core/states.py (no other module writes out a tuple, list or set of
two or more Status members), and the case row lock in cases.core.services.lock_case."""

import ast
import re
from pathlib import Path

from cases.core import states
from cases.models import OPEN_STATUSES, Status

ROOT = Path(__file__).resolve().parents[2]
# The two document rules have their groups now (ACCEPTED_STATUSES, FINISHED_STATUSES): nothing is left out.
NOT_YET: set[str] = set()


def _status_literals(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            members = [
                e
                for e in node.elts
                if isinstance(e, ast.Attribute)
                and isinstance(e.value, ast.Name)
                and e.value.id in {"Status", "S"}
                and e.attr in Status.names
            ]
            if len(members) >= 2:
                lines.append(node.lineno)
    return lines


def test_no_status_group_outside_states():
    found = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        # bench/: the data generator's plans say which fabricated cases get which rows (e.g. "evaluated or
        # closed cases carry a rating"), not rules of the product; it uses the groups where they match.
        if (
            relative.split("/")[0] in {".venv", "tests", "data", "node_modules", "bench"}
            or "/migrations/" in relative
        ):
            continue
        if relative == "cases/core/states.py" or relative in NOT_YET:
            continue
        if lines := _status_literals(path):
            found[relative] = lines
    assert found == {}


def test_the_groups_read_from_the_table():
    S = Status
    assert states.TERMINAL_STATUSES == (S.CLOSED, S.NOT_ACCEPTED)
    assert OPEN_STATUSES is states.OPEN_STATUSES
    assert states.OPEN_STATUSES == (
        S.SUBMITTED,
        S.REGISTERED,
        S.ROUTED,
        S.IN_MEDIATION,
        S.CONCLUDED,
        S.EVALUATED,
    )
    assert states.INTAKE_STATUSES == (S.SUBMITTED, S.REGISTERED)
    assert states.QUEUE_STATUSES == (S.ROUTED, S.IN_MEDIATION)
    assert states.ENDED_STATUSES == (S.CONCLUDED, S.EVALUATED, S.CLOSED)
    assert states.CLOSABLE_STATUSES == (S.CONCLUDED, S.EVALUATED)


def test_one_case_row_lock():
    """Reading one case under FOR UPDATE is cases.core.services.lock_case; nothing else spells it out."""
    pattern = re.compile(r"Case\.objects\.select_for_update\(\)(\.select_related\([^)]*\))?\.get\(")
    found = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "data", "node_modules"}:
            continue
        if relative != "cases/core/services.py" and pattern.search(path.read_text(encoding="utf-8")):
            found[relative] = True
    assert found == {}
