"""Every service that views, the API and Celery tasks call is an entry point: it runs in its own, outermost
transaction (``mediation_center.transactions.entry_point``, i.e. ``transaction.atomic(durable=True)``)."""

import ast
import importlib
import inspect
import sys
import textwrap

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from mediation_center.celery import app as celery_app
from mediation_center.transactions import ATOMIC, OWN_TRANSACTIONS, entry_point

PROJECT = ("accounts", "cases", "routing", "mediation_center", "risk")


def _is_services_module(name: str) -> bool:
    # The services modules: ``services`` of each app or sub-domain, and the warnings service split by concern.
    return name.endswith(".services") or name in {
        "cases.warnings.sweep",
        "cases.warnings.notifications",
        "cases.warnings.clocks",
    }


def _view_modules() -> set[str]:
    modules: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = pattern.callback
                owner = (
                    getattr(view, "view_class", None) or getattr(view, "cls", None) or inspect.unwrap(view)
                )
                modules.add(owner.__module__)

    walk(get_resolver().url_patterns)
    return {m for m in modules if m.split(".")[0] in PROJECT}


def _callers() -> list[tuple[str, str, dict]]:
    """(where, source, globals) of every view/API module and every Celery task's function."""
    found = []
    for name in sorted(_view_modules()):
        module = sys.modules[name]
        found.append((name, inspect.getsource(module), vars(module)))
    celery_app.loader.import_default_modules()
    for task_name, task in sorted(celery_app.tasks.items()):
        run = inspect.unwrap(task.run)
        if run.__module__.split(".")[0] in PROJECT:
            found.append((task_name, textwrap.dedent(inspect.getsource(run)), run.__globals__))
    return found


def _services_called(source: str, scope: dict) -> dict[str, object]:
    """The functions of services modules that ``source`` names, directly or as ``module.function``."""
    called = {}
    tree = ast.parse(source)
    # ``entry.step(...)`` runs the entry point's work in the caller's transaction: not a call of the entry point.
    steps = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "step"}
    for node in ast.walk(tree):
        target = None
        if id(node) in steps:
            continue
        if isinstance(node, ast.Name):
            target = scope.get(node.id)
            label = node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = scope.get(node.value.id)
            if inspect.ismodule(module):
                target = getattr(module, node.attr, None)
                label = f"{node.value.id}.{node.attr}"
        if inspect.isfunction(target) and _is_services_module(target.__module__):
            called[label] = target
    return called


def test_the_scan_finds_the_callers():
    callers = {where for where, _source, _scope in _callers()}
    # A scan that found nothing would pass whatever the code did.
    assert {
        "cases.lifecycle.views",
        "cases.intake.api",
        "routing.views",
        "cases.portal.staff_views",
    } <= callers
    assert "cases.tasks.sweep_warnings" in callers and "cases.tasks.send_notification_email" in callers


def test_every_service_that_views_api_and_tasks_call_is_an_entry_point():
    missing = []
    count = 0
    for where, source, scope in _callers():
        for label, func in _services_called(source, scope).items():
            count += 1
            if getattr(func, "entry_point", None) not in (ATOMIC, OWN_TRANSACTIONS):
                missing.append(f"{where}: {label} ({func.__module__}.{func.__qualname__})")
    assert count > 50
    assert missing == [], "not marked @entry_point:\n" + "\n".join(missing)


SERVICES_MODULES = (
    "accounts.services",
    "cases.core.services",
    "cases.intake.services",
    "cases.lifecycle.services",
    "cases.portal.services",
    "cases.warnings.services",
    "cases.warnings.sweep",
    "cases.warnings.notifications",
    "cases.warnings.clocks",
    "routing.services",
)


def test_no_service_calls_an_entry_point_inside_its_own_transaction():
    # An entry point called from another service would nest a durable block: it calls ``.step``.
    nested = []
    for name in SERVICES_MODULES:
        for attr, wrapper in vars(importlib.import_module(name)).items():
            if inspect.isfunction(wrapper) and wrapper.__module__ == name:
                func = inspect.unwrap(wrapper)
                for label, called in _services_called(inspect.getsource(func), func.__globals__).items():
                    if hasattr(called, "entry_point") and called is not wrapper:
                        nested.append(f"{name}.{attr} calls {label}")
    assert nested == []


def test_a_step_other_services_call_is_not_an_entry_point():
    from cases.core.services import lock_case
    from cases.warnings import sweep

    for hook in (lock_case, sweep.on_case_changed, sweep.on_case_registered, sweep.recompute_case):
        assert not hasattr(hook, "entry_point"), hook
        assert "runs in the caller's transaction" in hook.__doc__.lower()


@pytest.mark.django_db
def test_an_entry_point_refuses_to_run_inside_a_transaction():
    from accounts.models import Center

    @entry_point
    def make_center(name):
        return Center.objects.create(name=name, short_name=name, level=Center.Level.TOWN)

    @entry_point(own_transactions=True)
    def count_centers():
        return Center.objects.count()

    assert make_center("甲").pk  # the test's own atomic block does not count
    assert make_center.step("乙").pk
    for call in (lambda: make_center("丙"), count_centers):
        with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
            call()
    with transaction.atomic():
        assert make_center.step("丁").pk  # the step joins the caller's transaction
    assert count_centers() == 3
