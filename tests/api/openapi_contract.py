"""Validate real API responses against the served OpenAPI schema (drf-spectacular, OpenAPI 3.0).

The schema is turned into JSON Schema for the ``jsonschema`` validator: ``nullable: true`` becomes "or
null", and every object that lists its properties is closed (``additionalProperties: false``), so a field
that a response carries but the schema does not document fails just as a wrong type or a null does.
"""

import json
import re

import jsonschema

METHODS = ("get", "post", "put", "patch", "delete")
JSON = "application/json"


def _to_json_schema(node):
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _to_json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


class OpenApiContract:
    def __init__(self, schema: dict):
        self.components = _to_json_schema(schema.get("components", {}))
        self.operations: dict[tuple[str, str], dict] = {}
        self.patterns: list[tuple[re.Pattern, str]] = []
        for template, item in schema["paths"].items():
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.patterns.append((re.compile(f"^{regex}$"), template))
            for method in METHODS:
                if method in item:
                    self.operations[(method.upper(), template)] = item[method]
        self.covered: set[tuple[str, str]] = set()
        self.failures: list[str] = []

    @classmethod
    def served(cls, client) -> "OpenApiContract":
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        return cls(json.loads(response.content))

    def template_of(self, path: str) -> str:
        matches = [template for regex, template in self.patterns if regex.match(path)]
        # A literal path beats a template with a parameter where both match (/api/cases/reveals/ is not
        # /api/cases/{id}/: Django's int converter refuses "reveals", the schema's {id} does not say so).
        fewest = min((template.count("{") for template in matches), default=0)
        matches = [template for template in matches if template.count("{") == fewest]
        assert len(matches) == 1, f"{path} matches {matches} in the schema"
        return matches[0]

    def check(self, response, expect: int | None = None):
        """Record whether the response is documented (status and body); returns its JSON body.

        ``expect`` is the scenario's own assertion (the call must have succeeded to go on); what the
        schema says is collected in ``failures`` so that one run reports every mismatch.
        """
        method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
        if expect is not None:
            assert response.status_code == expect, (
                method,
                path,
                response.status_code,
                response.content[:500],
            )
        assert response.status_code < 400, (method, path, response.status_code, response.content[:500])
        body = json.loads(response.content) if response.content else None
        template = self.template_of(path)
        self.covered.add((method, template))
        operation = self.operations.get((method, template))
        if operation is None:
            self.failures.append(f"{method} {template} is not in the schema")
            return body
        documented, status = operation["responses"], str(response.status_code)
        if status not in documented:
            self.failures.append(f"{method} {template} answered {status}; documented: {sorted(documented)}")
            return body
        content = documented[status].get("content", {})
        if JSON not in content:
            if body is not None:
                self.failures.append(f"{method} {template} {status} answered JSON but documents no JSON body")
            return body
        schema = _to_json_schema(dict(content[JSON].get("schema", {}))) | {"components": self.components}
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))[:10]:
            where = "/".join(map(str, error.absolute_path)) or "(root)"
            self.failures.append(f"{method} {template} {status} at {where}: {error.message[:300]}")
        return body

    def uncovered(self) -> set[tuple[str, str]]:
        return set(self.operations) - self.covered
