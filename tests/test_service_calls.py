"""One way for a page to call a service: mediation_center.service_calls turns a refusal into what the user
sees, and no view module catches a refusal itself."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from mediation_center.errors import DomainError, NotAllowed
from mediation_center.service_calls import call_service

ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "cases", "routing", "mediation_center", "risk")
HELPER = "mediation_center/service_calls.py"
# Not refusals shown to the user but documents that cannot be had: a missing one is a 404, a failed
# rendering the document-failure page (cases.documents.responses).
NOT_REFUSALS = {"DocumentNotAvailable", "DocumentRenderFailed"}


class NoteForm(forms.Form):
    note = forms.CharField()


def _request():
    request = RequestFactory().post("/anything/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refuse(error: DomainError):
    def service():
        raise error

    return service


def test_a_refusal_with_a_form_is_the_forms_error_and_no_message():
    request = _request()
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    outcome = call_service(
        request, _refuse(DomainError("案件已结案，不能修改。")), form=form, success="已保存。"
    )
    assert not outcome and isinstance(outcome.error, DomainError) and outcome.result is None
    assert form.non_field_errors() == ["案件已结案，不能修改。"]
    assert "案件已结案，不能修改。" in form.as_div()
    assert _shown(request) == []


def test_a_refusal_can_sit_on_one_field_and_be_worded_by_the_view():
    request = _request()
    form = NoteForm({"note": "x"})
    form.is_valid()
    call_service(
        request,
        _refuse(DomainError("太频繁。")),
        form=form,
        field="note",
        message=lambda error: f"{error.message} 请于 10:30 后再试。",
    )
    assert form.errors == {"note": ["太频繁。 请于 10:30 后再试。"]}
    assert form.non_field_errors() == []


def test_a_refusal_without_a_form_is_an_error_message_with_its_own_text():
    request = _request()
    outcome = call_service(request, _refuse(NotAllowed()), success="已保存。")
    assert not outcome and outcome.error.http_status == 403
    assert _shown(request) == [("error", "您无权进行此操作。")]


def test_success_gives_the_result_and_the_success_message():
    request = _request()
    form = NoteForm({"note": "x"})
    form.is_valid()
    outcome = call_service(request, lambda: 42, form=form, success="已保存。")
    assert outcome and outcome.result == 42 and outcome.error is None
    assert form.errors == {}
    assert _shown(request) == [("success", "已保存。")]
    quiet = _request()
    assert call_service(quiet, lambda: None)  # a service returning nothing still succeeded
    assert _shown(quiet) == []


def test_anything_but_a_refusal_is_not_swallowed():
    request = _request()
    with pytest.raises(ZeroDivisionError):
        call_service(request, lambda: 1 / 0, success="已保存。")
    assert _shown(request) == []


# --- The guard -----------------------------------------------------------------------------------
def _python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _refusal_classes() -> set[str]:
    """DomainError and every class of the house derived from it, however deep."""
    bases: dict[str, set[str]] = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
                )
    found = {"DomainError"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


def _is_view_module(path: Path) -> bool:
    folders = path.relative_to(ROOT).parent.parts
    return path.name == "views.py" or path.name.endswith("_views.py") or "views" in folders


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return set()
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for node in nodes:
        for part in ast.walk(node):  # `A | B`, `module.A`
            if isinstance(part, ast.Attribute):
                names.add(part.attr)
            elif isinstance(part, ast.Name):
                names.add(part.id)
    return names


def test_the_refusal_classes_are_found():
    refusals = _refusal_classes()
    assert {
        "NotAllowed",
        "IllegalTransition",
        "TooManyAttempts",
        "TooManyParties",
        "AlreadyClaimed",
    } <= refusals
    assert NOT_REFUSALS <= refusals


def test_no_view_module_catches_a_refusal_itself():
    refusals = _refusal_classes() - NOT_REFUSALS
    views = [p for p in _python_files() if _is_view_module(p)]
    assert len(views) >= 6  # the guard reads the view modules, not nothing
    found = {}
    for path in views:
        relative = path.relative_to(ROOT).as_posix()
        if relative == HELPER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and (caught := _caught(node) & refusals):
                found.setdefault(relative, []).append((node.lineno, sorted(caught)))
    assert found == {}


def test_the_guard_sees_a_hidden_catch():
    source = "try:\n    pass\nexcept (ValueError, errors.DomainError):\n    pass\n"
    handler = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ExceptHandler))
    assert "DomainError" in _caught(handler)
