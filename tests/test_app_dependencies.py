"""The apps depend one way: routing builds on cases.core, and cases.core knows nothing of routing.

cases.core reads a case's assignments through Case's reverse relations (cases/core/assignments.py); a
liaison's summonses, who may claim and the channel queue are routing's rules (routing/access.py). The
imports are read with ``ast``, so an import inside a function counts as much as one at the top.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# routing calls the warnings sweep's hook after a change of channel or mediator, as intake and lifecycle do.
# cases' template tag libraries are presentation helpers routing's templates already load by name ({% load
# deadlines choice_labels %}); routing's row tag (queue_rows) calls the same functions from Python.
ROUTING_MAY_ALSO_IMPORT = {
    "cases.warnings.sweep",
    "cases.templatetags.case_rows",
    "cases.templatetags.choice_labels",
    "cases.templatetags.deadlines",
}


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str = "") -> set[str]:
    """Every module that ``path`` (the module ``module``) imports, relative imports resolved, with
    ``from m import name`` also giving ``m.name``, and the apps or modules named to ``get_model`` or
    ``import_module``."""
    package = (module or _module_of(path)).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"get_model", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _sources(folder: str) -> list[Path]:
    return [p for p in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in p.parts]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_reader_sees_every_kind_of_import(tmp_path):
    # The guard below can only fail if this reader finds routing in each way a module can name it.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import routing.models\n"
        "def f():\n"
        "    from routing.selectors import x\n"
        "    from ...routing import access\n"
        "    apps.get_model('routing', 'Summons')\n"
        "    importlib.import_module('routing.rules')\n",
        encoding="utf-8",
    )
    found = _imports(sample, "cases.core.sample")
    assert {"routing.models", "routing.selectors", "routing.access", "routing", "routing.rules"} <= found


def test_cases_core_imports_nothing_from_routing():
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "routing"))
        for path in _sources("cases/core")
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_routing_imports_from_cases_core_only():
    offending = {}
    for path in _sources("routing"):
        modules = {m for m in _imports(path) if _within(m, "cases") and not _within(m, "cases.core")}
        # ``from cases.warnings import sweep`` names the package and the module: the module decides.
        modules = {m for m in modules if not any(_within(m, ok) for ok in ROUTING_MAY_ALSO_IMPORT)}
        modules -= {m.rsplit(".", 1)[0] for m in _imports(path) if m in ROUTING_MAY_ALSO_IMPORT}
        if modules:
            offending[path.relative_to(ROOT).as_posix()] = sorted(modules)
    assert offending == {}


def test_nothing_below_risk_imports_it():
    # 研判预警 (risk/) builds on cases, routing and accounts; they reach it only through settings hooks
    # (DEMO_BUILDERS, WORK_COUNT_PROVIDERS) and the URL includes, never by importing it.
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "risk"))
        for folder in ("cases", "routing", "accounts")
        for path in _sources(folder)
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_cases_routing_and_accounts_import_nothing_from_search():
    # search builds on them (its index follows cases.core.timeline.RECORD_HOOKS, the top bar's page comes
    # through settings.CASE_SEARCH_VIEW); never the other way round.
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "search"))
        for folder in ("cases", "routing", "accounts")
        for path in _sources(folder)
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_nothing_below_online_imports_it():
    # online/ builds on cases, routing and accounts; they reach it only through settings hooks
    # (CASE_PAGE_SECTIONS, DEMO_BUILDERS) and URL names in templates.
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "online"))
        for folder in ("cases", "routing", "accounts", "mediation_center")
        for path in _sources(folder)
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_nothing_below_eservice_imports_it():
    # eservice/ builds on cases, routing and accounts; they reach it only through settings hooks
    # (CASE_PAGE_SECTIONS, DEMO_BUILDERS) and URL names in templates.
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "eservice"))
        for folder in ("cases", "routing", "accounts", "mediation_center", "online")
        for path in _sources(folder)
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_nothing_below_courtlink_imports_it():
    # courtlink/ builds on cases, routing and accounts; they reach it only through settings
    # hooks (CASE_PAGE_SECTIONS, WORK_COUNT_PROVIDERS, DEMO_BUILDERS), the URL includes and URL names in templates.
    offending = {
        path.relative_to(ROOT).as_posix(): sorted(m for m in _imports(path) if _within(m, "courtlink"))
        for folder in ("cases", "routing", "accounts", "mediation_center", "online")
        for path in _sources(folder)
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}
