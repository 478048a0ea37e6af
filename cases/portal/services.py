"""Writes for the citizen portal: status lookup throttling, sign-in codes, online applications,
consultations, case conversations, appointments, home visits and ratings."""

import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, SecurityAuditEvent, User
from accounts.services import client_ip, record_security_event, security_event_insert
from accounts.sms import send_sms
from cases.core import events
from cases.core.batch import Statement, build_rows, compile_together, run_statement
from cases.core.events import APPOINTMENT_BOOKED, CASE_MESSAGE, CASE_RATED
from cases.core.identity import MOBILE_RE
from cases.core.models import Attachment, Case, Party
from cases.core.services import lock_case
from cases.core.states import Status
from cases.intake.services import CaseData, register_case
from cases.portal import preference, privacy
from cases.portal.models import (
    ApplicationConsent,
    Appointment,
    AppointmentSchedule,
    AppointmentSlot,
    CaseMessage,
    Consultation,
    HomeVisitRequest,
    Rating,
    SignInCode,
    SignInCodeGap,
)
from cases.portal.privacy import Consent
from mediation_center.dialect import execute_prepared, returning_cte, server_json
from mediation_center.errors import CACHE_DOWN, DomainError, NotAllowed
from mediation_center.transactions import entry_point


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    http_status = 429
    default_message = _("尝试次数过多，请稍后再试。")

    def __init__(self, message=None, *, retry_at: datetime | None = None, scope: str = ""):
        super().__init__(message)
        self.retry_at = retry_at
        self.scope = scope  # what is locked: "ip", "case", or "case_number" (the tracking code still works)


class RateLimitUnavailable(DomainError):
    """The shared cache that holds the lock-out counters cannot be reached. The limits protect
    citizens' cases from guessing, so the lookup and the code request wait rather than run unlimited."""

    code = "rate_limit_unavailable"
    http_status = 503
    default_message = _("查询与验证码服务暂时不可用，请稍后再试；急事请拨打中心电话或到窗口办理。")


class InvalidCode(DomainError):
    code = "invalid_code"
    http_status = 400
    default_message = _("验证码不正确或已过期，请重新获取。")


class SlotFull(DomainError):
    code = "slot_full"
    default_message = _("该时段已约满，请选择其他时段。")


# --- Counting failures in the shared cache (Redis in production) -------------------------------
def _counted(method):
    """A cache outage (Redis down or hung) answers RateLimitUnavailable, never a 500."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except CACHE_DOWN as exc:
            raise RateLimitUnavailable() from exc

    return wrapper


class FailureCounter:
    """Fixed-window failure count per key; a key is locked once it reaches ``limit`` in the window."""

    def __init__(self, prefix: str, *, limit: int, window: timedelta):
        self.prefix = prefix
        self.limit = limit
        self.window = window

    def _keys(self, key: str) -> tuple[str, str]:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self.prefix}:{digest}:n", f"{self.prefix}:{digest}:until"

    def _locked_from(self, key: str, values: dict) -> datetime | None:
        count_key, until_key = self._keys(key)
        until = values.get(until_key)
        if (values.get(count_key) or 0) < self.limit or until is None or until <= timezone.now().timestamp():
            return None
        return datetime.fromtimestamp(until, tz=UTC)

    @_counted
    def fail(self, key: str, *, until: float | None | object = ...) -> None:
        """Count one failure; ``until``: the window's stored end when the caller has read it already."""
        count_key, until_key = self._keys(key)
        seconds = int(self.window.total_seconds())
        if until is ...:
            until = cache.get(until_key)
        if until is None or until <= timezone.now().timestamp():
            cache.delete_many([count_key, until_key])
        if cache.add(count_key, 0, seconds):
            cache.set(until_key, (timezone.now() + self.window).timestamp(), seconds)
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, seconds)
            cache.set(until_key, (timezone.now() + self.window).timestamp(), seconds)

    @_counted
    def locked_until(self, key: str) -> datetime | None:
        return self._locked_from(key, cache.get_many(list(self._keys(key))))


@_counted
def read_counters(pairs: list[tuple[FailureCounter, str]]) -> tuple[list[datetime | None], dict]:
    """Whether each (counter, key) is locked, from one ``get_many`` (one Redis round trip) for them all;
    also the values read, so that counting a failure need not read its window again."""
    values = cache.get_many([name for counter, key in pairs for name in counter._keys(key)])
    return [counter._locked_from(key, values) for counter, key in pairs], values


# ``FailureCounter.fail`` for several counters at once, atomic, in one round trip: per counter, the window's
# keys cleared when the caller saw its end passed (ARGV "1"), the count added at 0 with the window's expiry
# and, if it was new, the window's end stored; then the count incremented. KEYS: count, until per counter;
# ARGV: expired, seconds, the end's stored value per counter.
_COUNT_FAILURES = """
local counts = {}
for i = 1, #KEYS, 2 do
  local a = (i - 1) / 2 * 3
  if ARGV[a + 1] == "1" then redis.call("DEL", KEYS[i], KEYS[i + 1]) end
  if redis.call("SET", KEYS[i], 0, "EX", ARGV[a + 2], "NX") then
    redis.call("SET", KEYS[i + 1], ARGV[a + 3], "EX", ARGV[a + 2])
  end
  counts[#counts + 1] = redis.call("INCR", KEYS[i])
end
return counts
"""
_scripts: dict = {}


@_counted
def count_failures(failures: list[tuple[FailureCounter, str, float | None | object]]) -> None:
    """One failure on each (counter, key), ``until`` the window's end as the caller read it (``read_counters``;
    ``...`` if it did not read it): on Django's Redis cache one script (one round trip instead of two to four
    per counter), else ``fail``."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        for counter, key, until in failures:
            counter.fail(key, until=until)
        return
    now = timezone.now()
    keys, args = [], []
    for counter, key, until in failures:
        keys += [backend.make_and_validate_key(name) for name in counter._keys(key)]
        ends = (now + counter.window).timestamp()
        # Not read: the keys' expiry (set with the window) has ended a past window already.
        expired = until is not ... and (until is None or until <= now.timestamp())
        args += [
            "1" if expired else "0",
            int(counter.window.total_seconds()),
            backend._cache._serializer.dumps(ends),
        ]
    client = backend._cache.get_client(write=True)
    script = _scripts.get("count") or _scripts.setdefault("count", client.register_script(_COUNT_FAILURES))
    script(keys=keys, args=args, client=client)


def _lookup_window() -> timedelta:
    return timedelta(minutes=settings.PORTAL_LOOKUP_WINDOW_MINUTES)


def lookup_counters() -> tuple[FailureCounter, FailureCounter]:
    limit = settings.PORTAL_LOOKUP_FAILURE_LIMIT
    return (
        FailureCounter("portal:lookup:ip", limit=limit, window=_lookup_window()),
        FailureCounter("portal:lookup:case", limit=limit, window=_lookup_window()),
    )


def normalize_lookup_code(code: str) -> str:
    code = (code or "").strip().replace("（", "(").replace("）", ")").replace(" ", "")
    return code.upper() if code.isascii() else code


def _find_case(code: str) -> Case | None:
    if not code:
        return None
    if server_json(connection):
        return _find_case_in_one_statement(code)
    # A tracking code (12 letters) can never equal a case number, so one statement answers both;
    # the parties come along for the phone check and the result page.
    return (
        Case.objects.filter(Q(tracking_code=code) | Q(number=code))
        .select_related("dispute_type", "center")
        .prefetch_related("parties")
        .first()
    )


# The parties' columns the lookup and its page read (the others are deferred: reading one is a query), in
# the model's order, as ``Model.from_db`` takes a subset of columns.
_LOOKUP_PARTY_FIELDS = [
    f.attname
    for f in Party._meta.concrete_fields
    if f.attname in {"id", "case_id", "role", "kind", "name", "phone", "id_type", "id_number"}
]
# The case's columns in the model's order, so that one ``Model.from_db`` builds it (``Case.objects.raw`` matched
# ``c.*`` to the fields by name and built a query compiler per lookup: ~0.3 ms of CPU).
_CASE_FIELDS = tuple(Case._meta.concrete_fields)
_CASE_ATTNAMES = [f.attname for f in _CASE_FIELDS]
_CASE_DISPUTE_TYPE, _CASE_CENTER = Case._meta.get_field("dispute_type"), Case._meta.get_field("center")
_PARTY_CASE = Party._meta.get_field("case")
_FIND_CASE_SQL = f"""
SELECT {", ".join(f'c."{f.column}"' for f in _CASE_FIELDS)},
  to_jsonb(d) AS lookup_dispute_type, to_jsonb(ce) AS lookup_center,
  (SELECT coalesce(jsonb_agg(jsonb_build_array({", ".join(f"p.{name}" for name in _LOOKUP_PARTY_FIELDS)})
                             ORDER BY p.role, p.id), '[]'::jsonb)
     FROM cases_party p WHERE p.case_id = c.id) AS lookup_parties
FROM cases_case c
JOIN cases_disputetype d ON d.id = c.dispute_type_id
JOIN accounts_center ce ON ce.id = c.center_id
WHERE c.tracking_code = %s OR c.number = %s
LIMIT 1"""


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


_ROW_NAMES: dict[type, list[str]] = {}


def _from_row(model, row: dict, alias: str):
    """A model instance from a row's JSON (reference tables of plain text, number and flag columns: every
    column of the table, ``to_jsonb``)."""
    names = _ROW_NAMES.get(model)
    if names is None:
        names = _ROW_NAMES[model] = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    return model.from_db(alias, names, [row[name] for name in names])


_converters: dict[str, list] = {}


def _case_converters() -> list:
    """Per column of the case that has any: its place, the column and the converters the ORM applies to its
    value (its compiler's ``get_converters``: the backend's, then the field's ``from_db_value``), found once
    per database; the other columns are taken as they come."""
    found = _converters.get(connection.alias)
    if found is None:
        columns = [f.get_col(Case._meta.db_table) for f in _CASE_FIELDS]
        found = _converters[connection.alias] = [
            (i, col, converters)
            for i, col in enumerate(columns)
            if (converters := connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        ]
    return found


def _case_from_row(row) -> Case:
    """The case, its dispute type, center and parties from the first columns of a row of ``_FIND_CASE_SQL``'s
    select list: what ``select_related`` plus ``prefetch_related("parties")`` give, the same objects in the
    same order (the parties by role, then id, their model's order)."""
    from cases.core.models import DisputeType

    width = len(_CASE_FIELDS)
    alias = connection.alias
    db = connections[alias]  # (not the thread-local proxy on every converter)
    values = list(row[:width])
    for i, column, converters in _case_converters():
        value = values[i]
        for convert in converters:
            value = convert(value, column, db)
        values[i] = value
    case = Case.from_db(alias, _CASE_ATTNAMES, values)
    dispute_type, center, party_rows = row[width : width + 3]
    # The related objects cached as select_related and prefetch_related cache them (the ids are theirs already).
    _CASE_DISPUTE_TYPE.set_cached_value(case, _from_row(DisputeType, _json(dispute_type), alias))
    _CASE_CENTER.set_cached_value(case, _from_row(Center, _json(center), alias))
    parties = [Party.from_db(alias, _LOOKUP_PARTY_FIELDS, values) for values in _json(party_rows)]
    for party in parties:
        _PARTY_CASE.set_cached_value(party, case)
    cached = case.parties.all()
    cached._result_cache, cached._prefetch_done = parties, True
    case._prefetched_objects_cache = {"parties": cached}
    return case


def _find_case_in_one_statement(code: str) -> Case | None:
    """The case by tracking code or number with its dispute type, center and parties, in one round trip
    (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(_FIND_CASE_SQL, [code, code])
        row = cursor.fetchone()
    return None if row is None else _case_from_row(row)


def _phone_ends_with(phone: str, last4: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return len(digits) >= 4 and digits[-4:] == last4


def _lock_keys(code: str) -> list[str]:
    """The per-case counters that lock a lookup with ``code``, named by what was typed so that they can be
    read before the case is (one ``get_many`` with the address's, ahead of the one statement).

    Case numbers are sequential, so anyone can fail lookups against a stranger's number: those failures
    count on the number alone (``code:<number>``) and never lock the 12-character tracking code (56 bits,
    printed on the receipt), which only the case's parties hold. Failures with the tracking code count on
    ``code:<tracking code>`` and, for a case that exists, on ``tracking:<number>`` too — the same count kept
    under the number, so that a lookup by number is locked by either counter without reading the case
    first. An unknown code counts on ``code:<code>``."""
    return [f"code:{code}", f"tracking:{code}"]


def _fail_keys(case: Case | None, code: str) -> list[str]:
    """The per-case counters a failed lookup with ``code`` counts on (``_lock_keys``)."""
    if case is not None and code == case.tracking_code:
        return [f"code:{code}", f"tracking:{case.number}"]
    return [f"code:{code}"]


def _lookup_detail(case: Case | None, code: str) -> dict:
    return {"code": code[:60], **({"case": case.number} if case is not None else {})}


def _refuse_locked(code: str, locks: list[datetime | None], *, request: HttpRequest | None):
    """A locked lookup: its audit row (with the case it named, if any), then the refusal, saying whether only
    the case number is locked (the tracking code still works)."""
    case = _find_case(code)
    record_security_event(
        SecurityAuditEvent.Type.STATUS_LOOKUP,
        request=request,
        success=False,
        detail={**_lookup_detail(case, code), "reason": "locked"},
    )
    ip_locked, _code_locked, tracking_locked = locks
    if ip_locked:
        scope = "ip"
    elif case is not None and code != case.tracking_code and not tracking_locked:
        scope = "case_number"  # strangers may have guessed at the number: the tracking code still works
    else:
        scope = "case"
    raise TooManyAttempts(retry_at=max(filter(None, locks)), scope=scope)


@entry_point(own_transactions=True)  # each audit row commits, the refusal's too
def look_up_case(*, code: str, phone_last4: str, request: HttpRequest | None) -> Case:
    """Status lookup (进度查询): the case when code and phone digits match; every attempt is audited.

    Raises TooManyAttempts while the IP or the case is locked, and InvalidCode for any other
    failure, with one message whether or not the case exists. A found case carries what its status page
    shows (``case.status_rows``, ``selectors.status_querysets``), read by the statement that writes the
    success's audit row.

    Round trips: the lock-out counters of the address and of what was typed (one ``get_many``), then on
    PostgreSQL one statement that finds the case with its parties, checks the digits, writes the audit row
    (a success, or a refusal saying so) and, for a success only, reads what the status page shows — the
    row commits with that statement, before anything is disclosed (``_look_up_in_one_statement``). A
    refusal then counts its failures (one Redis script). Elsewhere (SQLite) the same steps one statement
    each."""
    code = normalize_lookup_code(code)
    ip = client_ip(request) or "unknown"
    by_ip, by_case = lookup_counters()
    read = _lock_keys(code)
    pairs = [(by_ip, ip), *((by_case, key) for key in read)]
    locks, counted = read_counters(pairs)
    if any(locks):
        _refuse_locked(code, locks, request=request)
    phone_last4 = phone_last4 or ""
    digits = phone_last4 if len(phone_last4) == 4 and phone_last4.isdigit() else None
    if code and returning_cte(connection) and (digits is None or digits.isascii()):
        case, matched = _look_up_in_one_statement(code, digits, request=request)
    else:
        case, matched = _find_case(code), None
    if matched is None:  # not decided by the statement: nothing written yet
        matched = (
            case is not None
            and digits is not None
            and any(_phone_ends_with(p.phone, digits) for p in case.parties.all())
        )
        if matched:
            case.status_rows = _audit_success_and_read_page(
                case, request=request, detail=_lookup_detail(case, code)
            )
        else:
            record_security_event(
                SecurityAuditEvent.Type.STATUS_LOOKUP,
                request=request,
                success=False,
                detail={**_lookup_detail(case, code), "reason": "mismatch"},
            )
    if not matched:
        count_failures(  # the windows as read above; ``...``: a counter not read (its expiry ends its window)
            [
                (by_ip, ip, counted.get(by_ip._keys(ip)[1])),
                *(
                    (by_case, key, counted.get(by_case._keys(key)[1]) if key in read else ...)
                    for key in _fail_keys(case, code)
                ),
            ]
        )
        raise InvalidCode(_("查询码（或案号）与手机号后四位不匹配，请核对后重试。"))
    return case


# The status page's statement (``selectors.status_querysets``) is compiled once per database with this id in
# place of the case's, then run with the case's (as the staff case page's, cases/page.py).
_LOOKUP_SENTINEL = -(2**31) + 41
_STATUS_STATEMENTS: dict[tuple, Statement] = {}


def _status_statement(case: Case) -> tuple[Statement, list]:
    statement = _compiled_status_statement()
    params = [case.pk if p == _LOOKUP_SENTINEL and type(p) is int else p for p in statement.params]
    return statement, params


def _compiled_status_statement() -> Statement:
    from cases.portal.selectors import status_querysets

    key = (connection.alias, server_json(connection))
    statement = _STATUS_STATEMENTS.get(key)
    if statement is None:
        statement = _STATUS_STATEMENTS[key] = compile_together(status_querysets(Case(pk=_LOOKUP_SENTINEL)))
    return statement


def _audit_success_and_read_page(case: Case, *, request: HttpRequest | None, detail: dict) -> dict[str, list]:
    """Write the success's audit row and read what the status page shows (``selectors.status_querysets``)."""
    insert, insert_params = security_event_insert(
        SecurityAuditEvent.Type.STATUS_LOOKUP, request=request, success=True, detail=detail
    )
    statement, params = _status_statement(case)
    if not returning_cte(connection):  # SQLite has no data-modifying WITH: the row, then the read
        with connection.cursor() as cursor:
            cursor.execute(insert, insert_params)
        return run_statement(statement, params)
    # The INSERT runs whether or not the SELECT reads it (PostgreSQL runs every data-modifying WITH once).
    audited = replace(statement, sql=f"WITH audit AS ({insert}) {statement.sql}")
    return run_statement(audited, [*insert_params, *params])


# The whole lookup in one statement (PostgreSQL), built once per database: the case (``_FIND_CASE_SQL``), the
# digits checked against its parties' phones, the audit row, and the status page's reads for the case only
# when the digits matched (``page_id`` is NULL otherwise: every read finds nothing). A phone with a character
# beyond ASCII leaves the check to Python (``undecided``: no row written, nothing read), whose ``isdigit``
# counts digits SQL's [0-9] does not; on ASCII text the two agree.
_LOOKUP_STATEMENTS: dict[str, tuple[str, list]] = {}


def _one_statement() -> tuple[str, list]:
    found = _LOOKUP_STATEMENTS.get(connection.alias)
    if found is not None:
        return found
    page = _compiled_status_statement()
    assert page.sql.startswith("SELECT ") and "%%" not in page.sql
    pieces = page.sql[len("SELECT ") :].split("%s")
    assert len(pieces) == len(page.params) + 1
    columns, page_params = [pieces[0]], []
    for param, piece in zip(page.params, pieces[1:], strict=True):
        if type(param) is int and param == _LOOKUP_SENTINEL:
            columns.append("(SELECT page_id FROM lookup_match)")
        else:
            columns.append("%s")
            page_params.append(param)
        columns.append(piece)
    meta = SecurityAuditEvent._meta
    audit_columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("created_at", "type", "user", "username", "ip_address", "success", "detail")
    )
    sql = f"""WITH lookup_case AS ({_FIND_CASE_SQL}),
lookup_match AS (
  SELECT m.*, CASE WHEN m.matched AND NOT m.undecided THEN m.case_id END AS page_id FROM (
    SELECT (SELECT c.id FROM lookup_case c) AS case_id, (SELECT c.number FROM lookup_case c) AS case_number,
      coalesce(bool_or(octet_length(p.phone) <> char_length(p.phone)), false) AS undecided,
      coalesce(bool_or(right(regexp_replace(p.phone, '[^0-9]', '', 'g'), 4) = %s::text), false) AS matched
    FROM lookup_case c JOIN cases_party p ON p.case_id = c.id) m),
audit AS (
  INSERT INTO {meta.db_table} ({audit_columns})
  SELECT %s::timestamptz, %s::text, NULL, '', %s::inet, m.matched,
    jsonb_build_object('code', %s::text)
      || CASE WHEN m.case_id IS NULL THEN '{{}}'::jsonb ELSE jsonb_build_object('case', m.case_number) END
      || CASE WHEN m.matched THEN '{{}}'::jsonb ELSE '{{"reason": "mismatch"}}'::jsonb END
  FROM lookup_match m WHERE NOT m.undecided
  RETURNING id)
SELECT c.*, m.matched, m.undecided, {"".join(columns)}
FROM lookup_match m LEFT JOIN lookup_case c ON true"""
    found = _LOOKUP_STATEMENTS[connection.alias] = (sql, page_params)
    return found


def _look_up_in_one_statement(
    code: str, digits: str | None, *, request: HttpRequest | None
) -> tuple[Case | None, bool | None]:
    """The case (or None), and whether the digits matched — written in the audit row of the same statement,
    with the page's rows on ``case.status_rows`` for a match; None when the statement left the check to
    Python (nothing written)."""
    sql, page_params = _one_statement()
    ip_field = SecurityAuditEvent._meta.get_field("ip_address")
    params = [
        code,
        code,
        digits,
        timezone.now(),
        SecurityAuditEvent.Type.STATUS_LOOKUP,
        ip_field.get_db_prep_save(client_ip(request), connection),
        code[:60],
        *page_params,
    ]
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)  # planned once per connection (planning cost more than running)
        row = cursor.fetchone()
    width = len(_CASE_FIELDS) + 3
    matched, undecided = row[width : width + 2]
    case = None if row[0] is None else _case_from_row(row)
    if undecided:
        return case, None
    if matched:
        case.status_rows = build_rows(_compiled_status_statement(), row[width + 2 :])
    return case, matched


# --- One-time sign-in codes --------------------------------------------------------------------
def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _reserve_send(phone: str, now: datetime, gap: timedelta) -> datetime | None:
    """Take the phone's resend gap: None when this request may send, else when the next one may.

    One conditional UPDATE decides: concurrent requests queue on the row and re-check the condition
    (PostgreSQL re-evaluates it on the row as committed; SQLite runs one writer at a time), so exactly
    one of them matches per gap."""
    try:
        with transaction.atomic():  # a savepoint: a concurrent first request may create the row first
            SignInCodeGap.objects.get_or_create(phone=phone)
    except IntegrityError:
        pass
    free = Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - gap)
    if SignInCodeGap.objects.filter(free, phone=phone).update(last_sent_at=now):
        return None
    last = SignInCodeGap.objects.filter(phone=phone).values_list("last_sent_at", flat=True).first()
    return (last or now) + gap


@entry_point(own_transactions=True)  # a refused request's audit row commits before the refusal
def request_sign_in_code(*, phone: str, request: HttpRequest | None) -> None:
    """Text a six-digit code to ``phone``; limited per phone (resend gap, hourly cap) and per IP."""
    if not MOBILE_RE.match(phone or ""):
        raise DomainError(_("请输入 11 位手机号。"))
    now = timezone.now()
    ip = client_ip(request) or "unknown"
    per_ip = FailureCounter(
        "portal:otp:ip", limit=settings.PORTAL_OTP_PER_HOUR * 4, window=timedelta(hours=1)
    )
    with transaction.atomic(durable=True):
        retry_at = per_ip.locked_until(ip)
        if retry_at is None:
            recent = list(
                SignInCode.objects.filter(phone=phone, created_at__gte=now - timedelta(hours=1)).values_list(
                    "created_at", flat=True
                )
            )
            if len(recent) >= settings.PORTAL_OTP_PER_HOUR:
                retry_at = min(recent) + timedelta(hours=1)
        if retry_at is None:
            retry_at = _reserve_send(phone, now, timedelta(seconds=settings.PORTAL_OTP_RESEND_SECONDS))
        if retry_at is None:
            per_ip.fail(ip)  # counts every send from this address
            code = f"{secrets.randbelow(1_000_000):06d}"
            SignInCode.objects.create(
                phone=phone,
                code_hash=_code_hash(phone, code),
                expires_at=now + timedelta(seconds=settings.PORTAL_OTP_TTL_SECONDS),
            )
            minutes = max(1, settings.PORTAL_OTP_TTL_SECONDS // 60)
            text = _("【矛调中心】您的登录验证码为 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。")
            send_sms(phone, str(text) % {"code": code, "minutes": minutes})
        record_security_event(
            SecurityAuditEvent.Type.OTP,
            request=request,
            username=phone,
            success=retry_at is None,
            detail={"action": "send", **({"reason": "rate_limited"} if retry_at else {})},
        )
    if retry_at is not None:
        raise TooManyAttempts(_("验证码发送过于频繁，请稍后再试。"), retry_at=retry_at)


@entry_point(own_transactions=True)  # a wrong code's attempt and audit row commit before the refusal
def verify_sign_in_code(*, phone: str, code: str, request: HttpRequest | None) -> User:
    """Consume a valid code and return the citizen account for ``phone`` (created on first sign-in)."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        current = (
            SignInCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        ok = False
        if current is not None and current.attempts < settings.PORTAL_OTP_MAX_ATTEMPTS:
            ok = hmac.compare_digest(current.code_hash, _code_hash(phone, (code or "").strip()))
            if ok:
                current.used_at = now
                current.save(update_fields=["used_at"])
            else:
                current.attempts = F("attempts") + 1
                current.save(update_fields=["attempts"])
        user = None
        if ok:
            user = User.objects.filter(kind=User.Kind.CITIZEN, phone=phone).order_by("pk").first()
            if user is None:
                user = User(
                    username=f"citizen-{secrets.token_hex(6)}",
                    kind=User.Kind.CITIZEN,
                    phone=phone,
                    display_name=str(_("群众")) + " " + phone[-4:],
                )
                user.set_unusable_password()
                user.save()
    record_security_event(
        SecurityAuditEvent.Type.OTP,
        request=request,
        user=user,
        username=phone,
        success=ok,
        detail={"action": "verify"},
    )
    if not ok:
        raise InvalidCode()
    return user


# --- Online application ----------------------------------------------------------------------
def _store_attachment(case: Case, upload: UploadedFile, *, actor: User, description: str = "") -> Attachment:
    attachment = Attachment(
        case=case,
        token=secrets.token_hex(16),
        original_name=upload.name[:200],
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size,
        uploaded_by=actor,
        description=description,
        is_public=True,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@entry_point
def submit_online_application(
    *,
    citizen: User,
    center: Center,
    data: CaseData,
    consent: Consent,
    files: list[UploadedFile] = (),
    preferred: str = "",
    preferred_reason: str = "",
    service_consent: bool = False,
    request=None,
) -> Case:
    """在线申请: register through the counter's service with status 'submitted', with the applicant's
    privacy consent on the application and on its 'submitted' event, then keep the files. A chosen mediator
    or studio (``preferred``, see cases/portal/preference.py) becomes the applicant's request on the case,
    in the same transaction."""
    if citizen.kind != User.Kind.CITIZEN:
        raise NotAllowed()
    if consent.version != privacy.NOTICE_VERSION or consent.sha256 != privacy.notice_sha256():
        # The notice changed between the tick and the sending: the citizen must read the new one.
        raise DomainError(_("个人信息处理告知已更新，请重新阅读并勾选同意后再提交。"))
    consented = {
        "consent": {
            "version": consent.version,
            "sha256": consent.sha256,
            "at": consent.consented_at.isoformat(),
        }
    }
    case = register_case.step(
        center=center, actor=citizen, data=data, status=Status.SUBMITTED, event_extra=consented
    )
    ApplicationConsent.objects.create(
        case=case,
        citizen=citizen,
        notice_version=consent.version,
        notice_sha256=consent.sha256,
        consented_at=consent.consented_at,
    )
    if files:
        names = [_store_attachment(case, f, actor=citizen).original_name for f in files]
        events.ATTACHMENT_ADDED.record(case, actor=citizen, data={"files": names, "source": "online"})
    if preferred:
        provider = preference.provider()
        if provider is None:
            raise DomainError(_("本中心暂不提供指定调解员。"))
        provider.request_from_application(case, citizen=citizen, value=preferred, reason=preferred_reason)
    if service_consent:
        consent = preference.service_consent()
        if consent is None:
            raise DomainError(_("本中心暂不提供电子送达。"))
        consent.record_from_application(case, citizen=citizen, request=request)
    return case


# --- Consultation --------------------------------------------------------------------------------
@entry_point
def ask_question(*, citizen: User, center: Center, question: str, dispute_type=None) -> Consultation:
    """在线咨询: a signed-in citizen asks a center."""
    return Consultation.objects.create(
        citizen=citizen, center=center, question=question.strip(), dispute_type=dispute_type
    )


@entry_point
def answer_consultation(consultation: Consultation, *, actor: User, answer: str) -> Consultation:
    """Record (or correct) the center's answer."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    consultation.answer = answer.strip()
    consultation.answered_by = actor
    consultation.answered_at = timezone.now()
    consultation.save(update_fields=["answer", "answered_by", "answered_at"])
    return consultation


# --- Case conversation (在线调解) ---------------------------------------------------------------
def add_case_message(
    case: Case, *, actor: User, body: str, upload: UploadedFile | None = None
) -> CaseMessage:
    """The message row (and its file) inside the caller's transaction, without an event: the caller records
    its own (the conversation here, an online session's thread in ``online``)."""
    body = (body or "").strip()
    if not body and upload is None:
        raise DomainError(_("请填写留言内容或选择文件。"))
    attachment = (
        _store_attachment(case, upload, actor=actor, description=str(_("在线调解留言附件")))
        if upload
        else None
    )
    return CaseMessage.objects.create(
        case=case, author=actor, from_staff=actor.kind != User.Kind.CITIZEN, body=body, attachment=attachment
    )


@entry_point
def post_case_message(
    case: Case, *, actor: User, body: str, upload: UploadedFile | None = None
) -> CaseMessage:
    """Add one message (with an optional file) to the case conversation and to the timeline; the party
    writes from the portal, the center from the case page, and the author says which side it came from."""
    message = add_case_message(case, actor=actor, body=body, upload=upload)
    attachment, from_staff = message.attachment, message.from_staff
    CASE_MESSAGE.record(
        case,
        actor=actor,
        data={
            "message": message.pk,
            "from_staff": from_staff,
            "file": attachment.original_name if attachment else "",
        },
    )
    return message


# --- Appointments and home visits -------------------------------------------------------------
@dataclass(frozen=True)
class SlotSpec:
    start: time
    end: time
    capacity: int
    extended_hours: bool


def parse_slot_setting(items: list[str]) -> list[SlotSpec]:
    """'09:00-10:00=4' entries; a leading '+' marks extended hours (延时服务)."""
    specs = []
    for item in items:
        extended = item.startswith("+")
        period, _sep, capacity = item.lstrip("+").partition("=")
        start, _sep, end = period.partition("-")
        specs.append(
            SlotSpec(time.fromisoformat(start), time.fromisoformat(end), int(capacity or 1), extended)
        )
    return specs


def slot_specs_for(center: Center, day: date) -> list[SlotSpec]:
    rows = list(AppointmentSchedule.objects.filter(center=center))
    if rows:
        weekday = str(day.weekday())
        return [
            SlotSpec(r.start, r.end, r.capacity, r.extended_hours)
            for r in rows
            if weekday in [w.strip() for w in r.weekdays.split(",")]
        ]
    if day.weekday() >= 5:
        return []
    return parse_slot_setting(settings.PORTAL_APPOINTMENT_SLOTS)


@entry_point
def ensure_slots(center: Center, day: date) -> list[AppointmentSlot]:
    """The day's slots for a center, created from its schedule on first use (idempotent)."""
    for spec in slot_specs_for(center, day):
        try:
            with transaction.atomic():
                AppointmentSlot.objects.get_or_create(
                    center=center,
                    date=day,
                    start=spec.start,
                    defaults={
                        "end": spec.end,
                        "capacity": spec.capacity,
                        "extended_hours": spec.extended_hours,
                    },
                )
        except IntegrityError:  # created concurrently
            pass
    return list(AppointmentSlot.objects.filter(center=center, date=day).order_by("start"))


@entry_point
def book_appointment(
    slot: AppointmentSlot, *, citizen: User, name: str, phone: str, purpose: str, case: Case | None = None
) -> Appointment:
    """预约: take one place in the slot; the slot row is locked so concurrent bookings never overbook."""
    slot = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
    starts = timezone.make_aware(datetime.combine(slot.date, slot.start))
    if starts <= timezone.now():
        raise DomainError(_("该时段已过，请选择其他时段。"))
    if Appointment.objects.filter(slot=slot, citizen=citizen, state=Appointment.State.BOOKED).exists():
        raise DomainError(_("您已预约该时段。"))
    if slot.booked >= slot.capacity:
        raise SlotFull()
    slot.booked += 1
    slot.save(update_fields=["booked"])
    appointment = Appointment.objects.create(
        slot=slot, citizen=citizen, name=name, phone=phone, purpose=purpose, case=case
    )
    if case is not None:
        APPOINTMENT_BOOKED.record(
            case,
            actor=citizen,
            data={"date": slot.date.isoformat(), "start": slot.start.strftime("%H:%M")},
        )
    return appointment


# The moves of a booked appointment, and what each says once the booking is no longer booked.
_BOOKED_MOVES = {
    Appointment.State.CANCELLED: _("该预约已取消或已到访，不能取消。"),
    Appointment.State.ATTENDED: _("只有待到访的预约可以标记为已到访。"),
}


@entry_point
def update_appointment(appointment: Appointment, *, actor: User, state: str) -> Appointment:
    """Cancel a booking (its place goes back to the slot) or record that the citizen came. A booked
    appointment only: a citizen may cancel their own, the counter may do either."""
    if state not in _BOOKED_MOVES:
        raise DomainError(_("当前状态下不能进行此操作。"))
    if actor.kind == User.Kind.CITIZEN and (
        state != Appointment.State.CANCELLED or appointment.citizen_id != actor.pk
    ):
        raise NotAllowed()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.state != Appointment.State.BOOKED:
        raise DomainError(_BOOKED_MOVES[state])
    appointment.state = state
    if state == Appointment.State.CANCELLED:
        slot = AppointmentSlot.objects.select_for_update().get(pk=appointment.slot_id)
        slot.booked = max(0, slot.booked - 1)
        slot.save(update_fields=["booked"])
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["state", "cancelled_at"])
    else:
        appointment.attended_at = timezone.now()
        appointment.attended_by = actor
        appointment.save(update_fields=["state", "attended_at", "attended_by"])
    return appointment


@entry_point
def request_home_visit(
    *, citizen: User, center: Center, name: str, phone: str, address: str, preferred_date: date, reason: str
) -> HomeVisitRequest:
    """上门服务: a citizen who cannot come asks for a visit."""
    return HomeVisitRequest.objects.create(
        citizen=citizen,
        center=center,
        name=name,
        phone=phone,
        address=address,
        preferred_date=preferred_date,
        reason=reason,
    )


@entry_point
def update_home_visit(visit: HomeVisitRequest, *, actor: User, state: str) -> HomeVisitRequest:
    """Staff schedule a visit or record it as done; a citizen may cancel their own request while it is
    not yet done; the counter may cancel it too."""
    allowed = {
        HomeVisitRequest.State.REQUESTED: {
            HomeVisitRequest.State.SCHEDULED,
            HomeVisitRequest.State.CANCELLED,
        },
        HomeVisitRequest.State.SCHEDULED: {HomeVisitRequest.State.DONE, HomeVisitRequest.State.CANCELLED},
    }
    if actor.kind == User.Kind.CITIZEN and (
        state != HomeVisitRequest.State.CANCELLED or visit.citizen_id != actor.pk
    ):
        raise NotAllowed(_("只能取消本人的上门服务申请。"))
    visit = HomeVisitRequest.objects.select_for_update().get(pk=visit.pk)
    if state not in allowed.get(visit.state, set()):
        raise DomainError(_("当前状态下不能进行此操作。"))
    visit.state = state
    visit.handled_by = actor
    visit.handled_at = timezone.now()
    visit.save(update_fields=["state", "handled_by", "handled_at"])
    return visit


# --- Ratings (好差评) -----------------------------------------------------------------------------
BAD_RATING_MAX = Rating.Score.DISSATISFIED


@entry_point
def rate_case(case: Case, *, citizen: User, party: Party, score: int, comment: str = "") -> Rating:
    """One rating per party after closing; 不满意 or worse is flagged for the supervisor."""
    if party.case_id != case.pk:
        raise NotAllowed()
    case = lock_case(case)
    if case.status != Status.CLOSED:
        raise DomainError(_("案件结案后才能评价。"))
    if Rating.objects.filter(party=party).exists():
        raise DomainError(_("您已评价过本案件，每位当事人只能评价一次。"))
    rating = Rating.objects.create(
        case=case,
        party=party,
        citizen=citizen,
        score=score,
        comment=comment.strip(),
        flagged=score <= BAD_RATING_MAX,
    )
    CASE_RATED.record(
        case,
        actor=citizen,
        data={"score": score, "label": str(rating.get_score_display()), "flagged": rating.flagged},
    )
    return rating


@entry_point
def follow_up_rating(rating: Rating, *, actor: User, note: str) -> Rating:
    """The supervisor records the follow-up of a bad rating."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not rating.flagged:
        raise DomainError(_("只有差评需要跟进。"))
    rating.followed_up_at = timezone.now()
    rating.followed_up_by = actor
    rating.follow_up_note = note.strip()
    rating.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
    return rating
