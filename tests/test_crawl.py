"""Crawl: every demo user signs in and follows every same-site link from their home page to depth 3.

Staff sign in with the demo password at /accounts/login/, the citizen at /portal/sign-in/ with the
SMS code the console backend logs, the 12345 system with its API token (the API docs are its home).

Fails on any 5xx, on any page that renders a Django debug or traceback page, and on any GET that
writes a timeline event (a GET must change nothing). All failures are reported in one message.

Bounded in time: URLs are deduplicated per user after normalising the query string (parameters
sorted, empty ones dropped, page numbers ignored). URLs of one shape (ids and tokens in the path
replaced, same parameter names) are visited at most ``PER_SHAPE`` times; documents (PDF, Excel),
which take up to a second each to render, ``DOCUMENT_PER_SHAPE`` times; Django's admin pages once
per shape, query ignored (its filter and sort links differ only in data). At most ``MAX_PAGES``
pages per user. The pages and seconds of each user are printed (``pytest -s``).

Besides the <a href> links, the API docs page counts as linking every GET endpoint of the OpenAPI
schema that takes no path parameter: Swagger UI offers each of them as a "try it out" link, and
/api/docs/ is what `make run` tells a newcomer to open.
"""

import logging
import re
import time
import traceback
from collections import Counter
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from accounts.demo import CITIZEN, DEMO_PASSWORD, USERS, demo_tokens
from cases.models import TimelineEvent

MAX_DEPTH = 3
MAX_PAGES = 600
# Six of one shape (the same view with other ids) per user, two documents: the crawl was the suite's slowest
# test (519 s of a 72-minute loaded pass, ~12 %) at twelve and three, and each shape is still seen by every user.
PER_SHAPE = 6
DOCUMENT_PER_SHAPE = 2
ADMIN_PER_SHAPE = 1
# Links that end the session or only make sense as the target of a form post.
SKIP_PATHS = {"/accounts/logout/", "/portal/sign-out/", "/admin/logout/"}
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/")
IGNORED_PARAMS = {"page", "p"}
DEBUG_MARKERS = ("Traceback", "Exception Value", 'id="traceback"')  # Django's technical 500 page


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def normalise(url: str) -> str | None:
    """The same-site path with a canonical query string, or None for a link not to follow."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path or "/"
    if path in SKIP_PATHS or path.startswith(SKIP_PREFIXES):
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if v and k not in IGNORED_PARAMS)
    return f"{path}?{urlencode(query)}" if query else path


def shape(url: str) -> str:
    path, _, query = url.partition("?")
    # a tracking code or signed token: long, with capitals or digits (route words are lower-case)
    path = re.sub(r"(?<=/)(?=[^/]*[A-Z0-9])[A-Za-z0-9_:=-]{10,}(?=/|$)", "<token>", path)
    path = re.sub(r"\d+", "<n>", path)
    names = sorted({k for k, _v in parse_qsl(query)}) if not path.startswith("/admin/") else []
    return path + ("?" + "&".join(names) if names else "")


def per_shape(url: str) -> int:
    path = url.partition("?")[0]
    if path.startswith("/admin/"):
        return ADMIN_PER_SHAPE
    if path.endswith((".pdf", ".xlsx")) or path.startswith("/portal/documents/"):
        return DOCUMENT_PER_SHAPE
    return PER_SHAPE


def schema_get_paths(client: Client) -> list[str]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        return []
    schema = response.json()
    return [path for path, ops in schema.get("paths", {}).items() if "get" in ops and "{" not in path]


class Crawl:
    def __init__(self, who: str, client: Client):
        self.who, self.client = who, client
        self.failures: list[str] = []
        self.seen: set[str] = set()
        self.shapes: Counter = Counter()
        self.capped = False
        self.pages = 0
        self.found_on: dict[str, str] = {}
        self.dead_links: list[str] = []  # 404s behind a link: not a failure, but worth a look

    def fail(self, url: str, status, what: str):
        self.failures.append(f"{self.who}  {status}  {url}  {what}")

    def get(self, url: str):
        before = TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            with transaction.atomic():  # a database error must not abort the test's transaction
                response = self.client.get(url)
        except Exception as exc:  # the test client re-raises what the view raised (a 500)
            frames = traceback.extract_tb(exc.__traceback__)
            where = next((f for f in reversed(frames) if "/.venv/" not in f.filename), frames[-1])
            self.fail(url, 500, f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})")
            return None
        written = TimelineEvent.objects.filter(pk__gt=before).values_list("type", flat=True)
        if written:
            self.fail(url, response.status_code, f"GET wrote timeline events {sorted(set(written))}")
        return response

    def run(self, start: str, extra: list[str] = ()) -> None:
        queue = [(normalise(start), 0)] + [(normalise(url), 1) for url in extra]
        while queue:
            url, depth = queue.pop(0)
            if url is None or url in self.seen:
                continue
            if self.shapes[shape(url)] >= per_shape(url):
                continue
            if self.pages >= MAX_PAGES:
                self.capped = True
                break
            self.seen.add(url)
            self.shapes[shape(url)] += 1
            self.pages += 1
            response = self.get(url)
            if response is None:
                continue
            if response.status_code == 404 and url in self.found_on:
                self.dead_links.append(f"{self.who}  404  {url}  (linked from {self.found_on[url]})")
            if response.status_code >= 500:
                self.fail(url, response.status_code, "server error")
                continue
            content_type = response.get("Content-Type", "")
            if not content_type.startswith("text/"):
                continue
            body = response.content.decode(errors="replace")
            markers = [m for m in DEBUG_MARKERS if m in body]
            if markers:
                self.fail(url, response.status_code, f"debug/traceback page ({', '.join(markers)})")
            if depth >= MAX_DEPTH:
                continue
            if response.status_code in (301, 302, 303, 307, 308):
                links = [response["Location"]]
            elif content_type.startswith("text/html"):
                parser = LinkParser()
                parser.feed(body)
                links = parser.links
                if url.startswith("/api/docs/"):
                    links += schema_get_paths(self.client)
            else:
                links = []
            for link in links:
                target = normalise(urljoin(url, link.split("#")[0]))
                if target and target not in self.seen:
                    self.found_on.setdefault(target, url)
                    queue.append((target, depth + 1))


def staff_client(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} cannot sign in with the demo password"
    return client


class Texts(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def citizen_client(capture_on_commit) -> Client:
    """Sign in at the portal by SMS code; the console backend logs the text, which carries the code.

    The handler sits on the SMS logger itself: the admin's periodic-task form imports the Celery
    tasks, whose Django fixup reapplies LOGGING and so drops handlers on the root logger (pytest's)."""
    client = Client()
    phone = CITIZEN[2]
    texts, logger = Texts(), logging.getLogger("accounts.sms")
    logger.addHandler(texts)
    level, logger.level = logger.level, logging.INFO
    try:
        with capture_on_commit(execute=True):
            sent = client.post("/portal/sign-in/", {"action": "send", "phone": phone})
    finally:
        logger.removeHandler(texts)
        logger.level = level
    found = re.search(r"验证码为 (\d{6})", "\n".join(texts.lines))
    assert found, f"no SMS code in the log; the sign-in page said: {sent.content.decode()[-2000:]}"
    response = client.post("/portal/sign-in/", {"action": "verify", "phone": phone, "code": found.group(1)})
    assert response.status_code == 302, "the demo citizen cannot sign in by SMS code"
    return client


@pytest.mark.django_db
def test_every_demo_user_can_follow_every_link_to_depth_3(django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "accounts.sms.ConsoleSMSBackend"
    started = time.monotonic()
    call_command("load_demo", stdout=StringIO())
    report = [f"load_demo: {time.monotonic() - started:.1f} s"]
    crawls: list[Crawl] = []

    def crawl(who: str, client: Client, start: str, extra=()):
        started = time.monotonic()
        crawls.append(Crawl(who, client))
        crawls[-1].run(start, extra)
        report.append(f"{who}: {crawls[-1].pages} pages in {time.monotonic() - started:.1f} s")

    for username, _display, role, *_ in USERS:
        crawl(f"{username} ({role})", staff_client(username), "/accounts/", extra=["/api/docs/"])
    crawl("citizen", citizen_client(django_capture_on_commit_callbacks), "/portal/me/")
    # The external system has no pages, only the API its token opens (the token `make run` prints).
    for name, token in demo_tokens():
        crawl(f"{name} (API token)", Client(HTTP_AUTHORIZATION=f"Token {token}"), "/api/docs/")
    report.append(f"crawl: {sum(c.pages for c in crawls)} pages")
    print("\n".join(report + [link for c in crawls for link in c.dead_links]))
    capped = [c.who for c in crawls if c.capped]
    if capped:
        print(f"page cap {MAX_PAGES} reached for: {capped}")
    failures = [failure for c in crawls for failure in c.failures]
    assert not failures, f"{len(failures)} failing pages:\n" + "\n".join(failures)


def test_links_are_normalised_so_each_page_is_fetched_once():
    assert normalise("/cases/?status=closed&page=3&q=") == "/cases/?status=closed"
    assert normalise("/cases/?b=2&a=1") == normalise("/cases/?a=1&b=2") == "/cases/?a=1&b=2"
    assert normalise("http://testserver/portal/") == "/portal/"
    for off_site in ("https://example.com/", "mailto:x@example.com", "/accounts/logout/", "/static/app.css"):
        assert normalise(off_site) is None
    assert shape("/cases/12/") == shape("/cases/7/") != shape("/cases/7/?tab=x")
    assert (
        shape("/portal/cases/3QEDVQ7EPYHF/")
        == shape("/portal/cases/KVTTVVWTQFXC/")
        == "/portal/cases/<token>/"
    )
    assert shape("/portal/documents/eyJ0Ijoi:1xYJ4J:ywJqr1Yslez2v/") == "/portal/documents/<token>/"
    assert shape("/cases/follow-ups/overdue/") == "/cases/follow-ups/overdue/"
    assert (
        shape("/admin/cases/case/?status__exact=closed")
        == shape("/admin/cases/case/?o=1")
        == "/admin/cases/case/"
    )
