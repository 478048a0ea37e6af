"""The one check on where a request may send the browser next (``next``, the referer): same site only."""

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_target(request, target: str | None) -> bool:
    """A path or URL on this site, over HTTPS when the request came over HTTPS; nothing else (no other host,
    no scheme-relative ``//host``, no ``/\\host``, no ``javascript:``)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default: str, *, field: str = "next") -> str:
    """``field`` from the POST body, else the query string, if it stays on this site; ``default`` otherwise."""
    target = request.POST.get(field) or request.GET.get(field)
    return target if is_safe_target(request, target) else default


def safe_referer(request, default: str) -> str:
    """The page the request came from if it is one of ours (a form sent back to itself), else ``default``."""
    target = request.META.get("HTTP_REFERER")
    return target if is_safe_target(request, target) else default
