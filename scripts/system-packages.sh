#!/usr/bin/env bash
# System packages beyond Python, installed with apt-get when run as root on Debian/Ubuntu; otherwise
# what is missing is named, with what stops working without it.
#   bash scripts/system-packages.sh pdf   what `make run` needs: Pango, HarfBuzz subsetting and the
#                                         Noto CJK fonts, for WeasyPrint's PDFs (receipts, agreements)
#   bash scripts/system-packages.sh       what `make test` needs: the above, Chromium for the browser
#                                         tests, docker-compose to validate docker-compose.yml
# Translations are compiled with polib and PDFs are checked with pypdf, so neither gettext nor
# poppler is needed.
set -euo pipefail
what=${1:-test}

has_deb() { command -v dpkg-query >/dev/null 2>&1 && [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
has_lib() { { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q "$1"; }
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh-cn family 2>/dev/null | grep -qi "noto"; }

need=()
why=()
if ! has_deb libpango-1.0-0 && ! has_lib libpango-1.0.so.0; then
  need+=(libpango-1.0-0 libpangoft2-1.0-0); why+=("Pango: every PDF fails (WeasyPrint cannot load)")
fi
if ! has_deb libharfbuzz-subset0 && ! has_lib libharfbuzz-subset.so.0; then
  need+=(libharfbuzz-subset0); why+=("HarfBuzz subset: PDFs fail to embed fonts")
fi
if ! has_deb fonts-noto-cjk && ! has_cjk_font; then
  need+=(fonts-noto-cjk); why+=("Noto CJK fonts: Chinese text in PDFs prints as empty boxes")
fi
if [ "$what" != pdf ]; then
  if [ ! -x /usr/bin/chromium ]; then
    need+=(chromium); why+=("Chromium at /usr/bin/chromium: browser tests skip (and fail in CI)")
  fi
  if ! command -v docker-compose >/dev/null 2>&1; then
    need+=(docker-compose); why+=("docker-compose: docker-compose.yml is not validated")
  fi
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  {
    echo "!! missing system packages (Debian/Ubuntu names):"
    for reason in "${why[@]}"; do echo "!!   - $reason"; done
    echo "!! install them with:  sudo apt-get install ${need[*]}"
    echo "!! (or run this command as root, which installs them)"
  } >&2
fi
