"""Compile every locale/*/LC_MESSAGES/django.po to .mo with polib (no gettext needed).

Only a .mo older than its .po is rewritten, and through a temporary file renamed into place, so two
runs side by side (the two passes of .ci/run) never leave a half-written catalogue for a test to read.
"""

import os
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in ROOT.glob("locale/*/LC_MESSAGES/*.po"):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    tmp = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
    polib.pofile(str(po_path)).save_as_mofile(str(tmp))
    os.replace(tmp, mo_path)
