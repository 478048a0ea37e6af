"""Citizen sessions: signing in by phone and one-time code, and the guard for citizen pages."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from .models import User

# Citizens have no password; the session is tied to the phone the code was sent to.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def sign_in_citizen(request: HttpRequest, user: User) -> None:
    """Start the session; the user_logged_in signal writes the audit row."""
    login(request, user, backend=BACKEND)


def is_citizen(user) -> bool:
    return user.is_authenticated and user.kind == User.Kind.CITIZEN


def citizen_required(view):
    """Send anyone who is not a signed-in citizen to the portal sign-in page, then back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_citizen(request.user):
            return redirect(f"{reverse('portal:sign_in')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
