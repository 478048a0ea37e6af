#!/usr/bin/env bash
# Shared setup for run and test: virtualenv, Python packages, translations. Safe to repeat.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
python_ok() {
  command -v "$PYTHON" >/dev/null 2>&1 &&
    "$PYTHON" -c 'import sys, ensurepip, venv; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null
}
if [ ! -x .venv/bin/python ]; then
  if ! python_ok && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt-get install python3 python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  if ! python_ok; then
    echo "!! needs Python 3.11–3.13 with venv as \`$PYTHON\` (found: $( (command -v "$PYTHON" >/dev/null && "$PYTHON" --version 2>&1) || echo "no $PYTHON"))." >&2
    echo "!! On Debian/Ubuntu: sudo apt-get install python3 python3-venv; or set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  echo "==> creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  touch "$stamp"
fi
.venv/bin/python scripts/compile_messages.py
