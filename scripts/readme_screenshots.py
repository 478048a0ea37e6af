"""The README's workbench screenshots: the home, a queue, the case page and the dashboard at 1366 px and 375 px,
signed in with the demo logins, against a running server with the demo data (``make run``; the dashboard
needs PostgreSQL). Saved as small PNGs under docs/screenshots/ (the first screenful of each page).

    .venv/bin/python scripts/readme_screenshots.py http://127.0.0.1:8000/
"""

import io
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "Demo@2026pass"  # the demo data's (accounts/demo.py); it exists only there
SIZES = {"1366": {"width": 1366, "height": 900}, "375": {"width": 375, "height": 812}}
LIMIT = 200 * 1024


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/accounts/$"))


def _save(page, name: str) -> None:
    """A PNG of the viewport, reduced to a palette so that it stays well under 200 KB."""
    png = Image.open(io.BytesIO(page.screenshot()))
    small = png.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    path = OUT / f"{name}.png"
    small.save(path, optimize=True)
    assert path.stat().st_size < LIMIT, (path, path.stat().st_size)
    print(path.relative_to(OUT.parents[1]), path.stat().st_size // 1024, "KB")


def main(base: str) -> None:
    base = base.rstrip("/") + "/"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=size == "375")
            page = context.new_page()
            _sign_in(page, base, "mediator")
            page.goto(f"{base}accounts/")
            _save(page, f"home-{size}")
            page.goto(f"{base}routing/queue/")
            _save(page, f"queue-{size}")
            case = page.locator("a[href^='/cases/'][href$='/']").filter(has_text="(").first.get_attribute("href")
            page.goto(f"{base}{case.lstrip('/')}")
            _save(page, f"case-{size}")
            context.close()
            context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=size == "375")
            page = context.new_page()
            _sign_in(page, base, "supervisor")
            page.goto(f"{base}cases/warnings/")
            page.wait_for_timeout(1500)  # the charts draw
            _save(page, f"dashboard-{size}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/")
