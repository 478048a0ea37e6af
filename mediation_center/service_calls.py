"""How a page calls a service: the one place where a refusal (``DomainError``) becomes what the user sees.

A view parses its input, checks access, then calls its service through ``call_service``. A refusal is
shown next to the form (on one field, or above the form) when the view passes the form, otherwise as
an error message on the next page; a success may leave a success message. The view then decides the
response from the outcome: redirect on success, the same page again (with ``outcome.error.http_status``
where it wants the refusal's status) otherwise. The API has its own single place for the same errors,
``mediation_center.api.exception_handler``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest

from mediation_center.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call came to: its result, or the refusal. True when the service did its work."""

    result: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def call_service(
    request: HttpRequest,
    service: Callable[[], T],
    *,
    success: str | None = None,
    form: BaseForm | None = None,
    field: str | None = None,
    message: Callable[[DomainError], str] | None = None,
) -> Outcome[T]:
    """Call ``service()``; a refusal becomes ``form``'s error on ``field`` (None: above the form) when a
    form is given, else an error message. ``message(error)`` words a refusal that needs more than its own
    text (e.g. when to try again); ``success`` is flashed when the service did its work."""
    try:
        result = service()
    except DomainError as error:
        text = message(error) if message is not None else error.message
        if form is not None:
            form.add_error(field, str(text))
        else:
            messages.error(request, str(text))
        return Outcome(error=error)
    if success:
        messages.success(request, success)
    return Outcome(result=result)
