"""Entry-point services: the functions views, the API and Celery tasks call.

An entry point runs in its own transaction, the outermost one: ``transaction.atomic(durable=True)``
(as Zulip marks its actions). When it returns, what it wrote is committed and its ``on_commit`` work
(mail, SMS) is on its way; called inside someone else's transaction it raises ``RuntimeError`` at once,
instead of silently becoming a savepoint whose commit the caller may still undo. Django ignores the
atomic block a test case wraps around each test, so tests call entry points as views do.

``@entry_point`` marks the function (``func.entry_point``) so that ``tests/test_entry_points.py`` can
check that everything views, the API and tasks call is one. A service that another service calls
inside its own transaction is not an entry point: the caller uses ``func.step``, the same work in
the caller's transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

ATOMIC = "atomic"
OWN_TRANSACTIONS = "own_transactions"


def entry_point(
    func: Callable[P, R] | None = None, *, own_transactions: bool = False
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Run ``func`` in one durable transaction; with ``own_transactions=True`` ``func`` commits in steps
    itself (a sweep batch by batch; a refusal whose audit row must survive the refusal), and the
    decorator only checks that no transaction is open when it is called."""

    def mark(func: Callable[P, R]) -> Callable[P, R]:
        if own_transactions:

            @functools.wraps(func)
            def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
                # Django's own nesting check for durable blocks (``Atomic.__enter__``), without entering and
                # leaving an empty block (~18 µs of bookkeeping, sent nowhere, on every status lookup).
                if not may_commit():
                    raise RuntimeError("A durable atomic block cannot be nested within another atomic block.")
                return func(*args, **kwargs)

            wrapper.entry_point = OWN_TRANSACTIONS
        else:
            wrapper = transaction.atomic(durable=True)(func)
            wrapper.entry_point = ATOMIC
            wrapper.step = func  # the same work inside a caller's transaction
        return wrapper

    return mark if func is None else mark(func)


def may_commit(using: str = "default") -> bool:
    """Whether a durable transaction may start here: no caller's transaction is open on ``using`` (a test
    case's own atomic block does not count, as for ``atomic(durable=True)``). A reader that would write
    (the dashboard folding its rollups) does so only then."""
    blocks = transaction.get_connection(using).atomic_blocks
    return not blocks or blocks[-1]._from_testcase  # Django's own test in ``Atomic.__enter__``
