"""Django's per-request state in plain context variables (mediation_center/fast_locals.py): installed at
start-up, and the language, time zone and script prefix behave as with asgiref's Local."""

import subprocess
import sys
import threading

from asgiref.local import Local
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import trans_real

from mediation_center import fast_locals


def test_start_up_installs_them():
    code = (
        "import django; django.setup()\n"
        "from django.utils.translation import trans_real; from django.utils import timezone; from django.urls import base\n"
        "print(*(type(x).__name__ for x in (trans_real._active, timezone._active, base._prefixes, base._urlconfs)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=settings.BASE_DIR, check=True)
    assert out.stdout.split() == ["ContextLocal"] * 4


def test_install_keeps_the_current_value_and_replaces_each_once(monkeypatch):
    stock = Local()
    stock.value = "kept"
    monkeypatch.setattr(trans_real, "_active", stock)
    assert "django.utils.translation.trans_real._active" in fast_locals.install()
    assert isinstance(trans_real._active, fast_locals.ContextLocal)
    assert trans_real._active.value == "kept"
    assert "django.utils.translation.trans_real._active" not in fast_locals.install()


def test_language_is_per_thread_and_override_restores_it():
    fast_locals.install()
    translation.activate("en")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(translation.get_language()))
    thread.start()
    thread.join()
    assert seen == [settings.LANGUAGE_CODE]  # a new thread starts with none of ours: the default
    with translation.override("zh-hans"):
        assert translation.get_language() == "zh-hans"
        assert translation.gettext("Cases") != "" and trans_real._active.value.language() == "zh-hans"
    assert translation.get_language() == "en"
    translation.deactivate()
    assert not hasattr(trans_real._active, "value")


def test_async_hops_carry_the_language_and_time_zone():
    fast_locals.install()

    def inner():
        return translation.get_language(), timezone.get_current_timezone_name()

    async def outer():
        return await sync_to_async(inner)()

    with translation.override("en"), timezone.override("Asia/Urumqi"):
        assert async_to_sync(outer)() == ("en", "Asia/Urumqi")


def test_a_missing_attribute_is_an_attribute_error():
    local = fast_locals.ContextLocal()
    assert getattr(local, "value", None) is None
    local.value = 1
    del local.value
    try:
        del local.value
    except AttributeError:
        pass
    else:
        raise AssertionError("deleting a missing attribute must raise AttributeError")
