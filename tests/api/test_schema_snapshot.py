"""URLs, API paths and the OpenAPI schema stay what they were: the served schema and the URL table
are compared with the snapshots committed beside this file.

The schema differs between the backends only where drf-spectacular reads the database's integer ranges
(PostgreSQL's 32- and 64-bit limits), so each backend has its snapshot. A deliberate API change regenerates
them (and the diff shows up in review):

    env -u DATABASE_URL .venv/bin/python manage.py spectacular --format openapi-json --file tests/api/openapi_snapshot.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediation .venv/bin/python manage.py spectacular \
        --format openapi-json --file tests/api/openapi_snapshot.postgresql.json
    .venv/bin/python -c "import tests.api.test_schema_snapshot as t; t.write_url_snapshot()"
"""

import difflib
import json
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

HERE = Path(__file__).parent
SCHEMA = {"sqlite": HERE / "openapi_snapshot.json", "postgresql": HERE / "openapi_snapshot.postgresql.json"}
URLS = HERE / "urls_snapshot.txt"


def _routes(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}{p.name}" if p.name else "-"
            yield f"{prefix}{p.pattern}  {name}"


def url_table() -> str:
    return "\n".join(sorted(set(_routes(get_resolver().url_patterns)))) + "\n"


def write_url_snapshot() -> None:  # pragma: no cover - a maintainer's tool
    import django

    django.setup()
    URLS.write_text(url_table(), encoding="utf-8")


def _diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), name, "now", n=2))


def test_the_served_openapi_schema_is_the_committed_one():
    from django.db import connection
    from drf_spectacular.generators import SchemaGenerator

    snapshot = SCHEMA[connection.vendor]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    now = json.dumps(
        json.loads(json.dumps(schema, default=str)), indent=2, sort_keys=True, ensure_ascii=False
    )
    before = json.dumps(
        json.loads(snapshot.read_text(encoding="utf-8")), indent=2, sort_keys=True, ensure_ascii=False
    )
    assert now == before, "the API schema changed:\n" + _diff(before, now, snapshot.name)[:6000]


def test_every_url_is_where_it_was():
    now = url_table()
    before = URLS.read_text(encoding="utf-8")
    assert now == before, "the URL table changed:\n" + _diff(before, now, URLS.name)[:6000]
