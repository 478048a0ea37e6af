"""Personas and shared fixtures.

Personas: clerk, mediator, other_mediator, liaison, supervisor, admin_user, citizen,
outsider (a staff user with no role), foreign_clerk (a clerk of another county).
"""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Center, Department, Membership, User
from cases.intake.services import CaseData, PartyData, register_case
from cases.models import DisputeType, Party
from routing.models import Channel
from tests.factories import PASSWORD, CenterFactory, DepartmentFactory, MembershipFactory, UserFactory

VALID_ID = "11010519491231002X"

# Which marked tests may skip. Markers name what a test needs beyond the embedded default
# (SQLite + filesystem broker + file cache): `postgres`, `redis`; `browser` needs Chromium.
#  - outside CI: a test whose service is missing is skipped, with its reason in the summary;
#  - CI_BACKEND=embedded (.ci/run's first pass, nothing configured): `postgres` / `redis` tests
#    skip with their reason; everything else, browser and live Celery tests included, must run;
#  - CI=true otherwise (.ci/run's PostgreSQL + Redis pass): every marked test must run, a skip
#    would hide a gap, so a missing service fails the test.
IN_CI = os.environ.get("CI", "").lower() == "true"
CI_BACKEND = os.environ.get("CI_BACKEND", "")
EMBEDDED_PASS = CI_BACKEND == "embedded"
MAY_SKIP_ON_EMBEDDED = ("postgres", "redis")
STRICT = IN_CI or EMBEDDED_PASS


def _may_skip(item) -> bool:
    if not STRICT:
        return True
    return EMBEDDED_PASS and any(item.get_closest_marker(m) for m in MAY_SKIP_ON_EMBEDDED)


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and not settings.IS_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not os.path.exists("/usr/bin/chromium"):
        return "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_configure(config):
    if CI_BACKEND not in ("", "embedded"):
        raise pytest.UsageError(
            f"CI_BACKEND={CI_BACKEND!r}: the only value is 'embedded' (or leave it unset)"
        )
    if EMBEDDED_PASS and (settings.IS_POSTGRES or settings.REDIS_URL):
        raise pytest.UsageError(
            "CI_BACKEND=embedded runs with nothing configured: unset DATABASE_URL and REDIS_URL"
        )


def pytest_report_header(config):
    policy = (
        "embedded pass: postgres/redis tests skip, all else must run"
        if EMBEDDED_PASS
        else "CI: every marked test must run"
        if IN_CI
        else "local: tests whose service is missing skip"
    )
    db = "PostgreSQL" if settings.IS_POSTGRES else "SQLite"
    return f"backend: {db}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, broker {settings.CELERY_BROKER_URL.split(':', 1)[0]}; {policy}"


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason:
                if not _may_skip(item):  # in CI every service must be there: a skip would hide a gap
                    pytest.fail(f"CI requires this test to run: {reason}")
                pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # In CI a skip is allowed only where the policy above allows it, whoever asks for it (a marker
    # here, a skipif, pytest.skip, importorskip): any other skip turns into a failure.
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and not _may_skip(item):
        why = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI allows no skip here (only postgres/redis tests, on the embedded pass): {why}"
    return report


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # On SQLite the test database is a file, not Django's default in-memory one, so that another
    # process (the live Celery worker and beat, tests/cases/test_celery_live.py) can open it.
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    cache.clear()
    # A request in English (LocaleMiddleware) leaves English active in the thread, and Django never puts the
    # default back: a later test that renders text outside a request would read English.
    translation.activate(settings.LANGUAGE_CODE)
    # The badges' counts are cached for WORK_COUNTS_TTL (10 s): a test that compares two pages' query counts
    # must not see the cache expire between them on a loaded machine. Within a test the cache only empties
    # when a service forgets it (the user's own action) or a test clears it.
    settings.WORK_COUNTS_TTL = 3600
    yield


@dataclass
class World:
    county: Center
    town: Center
    village: Center
    other_county: Center
    department: Department
    channels: dict


@pytest.fixture
def world(db) -> World:
    county = CenterFactory(name="测试县矛调中心", short_name="测试县")
    town = CenterFactory(name="测试镇矛调中心", short_name="测试镇", level=Center.Level.TOWN, parent=county)
    village = CenterFactory(name="测试村调委会", short_name="测试村", level=Center.Level.VILLAGE, parent=town)
    other = CenterFactory(name="外县矛调中心", short_name="外县")
    channels = {c.code: c for c in Channel.objects.all()}
    department = DepartmentFactory(center=county, name="人社局", code="hrss", channel=channels["specialist"])
    return World(county, town, village, other, department, channels)


def _persona(world: World, username: str, role: str | None, center=None, **membership) -> User:
    user = UserFactory(username=username, display_name=username)
    if role:
        MembershipFactory(user=user, center=center or world.county, role=role, **membership)
    return user


@pytest.fixture
def clerk(world):
    return _persona(world, "clerk", Membership.Role.CLERK)


@pytest.fixture
def mediator(world):
    return _persona(world, "mediator", Membership.Role.MEDIATOR, channel=world.channels["specialist"])


@pytest.fixture
def other_mediator(world):
    return _persona(world, "other_mediator", Membership.Role.MEDIATOR, channel=world.channels["police"])


@pytest.fixture
def liaison(world):
    return _persona(world, "liaison", Membership.Role.LIAISON, department=world.department)


@pytest.fixture
def supervisor(world):
    return _persona(world, "supervisor", Membership.Role.SUPERVISOR)


@pytest.fixture
def admin_user(world):
    user = _persona(world, "admin", Membership.Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def citizen(world):
    return UserFactory(username="citizen", kind=User.Kind.CITIZEN, phone="13800138000")


@pytest.fixture
def outsider(world):
    return _persona(world, "outsider", None)


@pytest.fixture
def foreign_clerk(world):
    return _persona(world, "foreign_clerk", Membership.Role.CLERK, center=world.other_county)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


def make_case_data(**overrides) -> CaseData:
    parties = overrides.pop("parties", None) or [
        PartyData(
            role=Party.Role.APPLICANT,
            name="张三",
            id_type=Party.IdType.RESIDENT_ID,
            id_number=VALID_ID,
            sex="F",
            phone="13800138000",
        ),
        PartyData(role=Party.Role.RESPONDENT, name="李四", phone="13912345678"),
    ]
    values = {
        "dispute_type": DisputeType.objects.get(code="labour"),
        "summary": "拖欠工资",
        "parties": parties,
    }
    values.update(overrides)
    return CaseData(**values)


@pytest.fixture
def make_case(world, clerk):
    def _make(center=None, actor=None, **overrides):
        return register_case(
            center=center or world.county, actor=actor or clerk, data=make_case_data(**overrides)
        )

    return _make
