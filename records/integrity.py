"""Tamper-evident records: the case timeline and the security audit are hash-chained in the database.

How it holds:

1. Every row inserted into ``cases_timelineevent`` gets a seal row in ``records_timelineseal`` written by an
   AFTER INSERT trigger in the same statement: ``hash = SHA-256(previous seal's hash | the row's columns)``,
   the previous seal being the last one of the same case (one chain per case). Security audit rows are
   sealed the same way in ``records_auditseal``, one chain per UTC day. The trigger is the only writer, so
   no code path (services, the API, the bench generator's COPY, a hand-written INSERT) can skip it, and it
   costs the request no extra round trip.
2. On PostgreSQL a writer takes a transaction-scoped advisory lock on the chain before it reads the
   chain's last seal, so two transactions adding events to one case seal one after the other (no fork).
   The chain's order is the seal's own id, not the event's. SQLite has one writer at a time anyway.
3. On PostgreSQL the events, the audit and both seal tables refuse UPDATE and DELETE (a BEFORE trigger),
   unless the transaction declared maintenance (``maintenance()``: ``SET LOCAL records.maintenance``),
   which only the bench generator's tests use. TRUNCATE (a test database's flush) is not a row change.
4. ``verify()`` (``manage.py verify_audit`` and the administrators' page /records/integrity/) recomputes
   every seal from the row as it is now, in SQL with the same expression the trigger used, walks each
   chain in order and reports the first broken link of each chain: a row changed after it was sealed, a
   sealed row deleted, a seal whose predecessor is not the previous seal, or a row with no seal (inserted
   with the trigger switched off).

What it cannot see: rows removed from the end of a chain together with their seals (the chain just looks
shorter) — an exported daily digest of the chain heads, kept elsewhere, would close that gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

EVENTS = "cases_timelineevent"
AUDIT = "accounts_securityauditevent"
EVENT_SEALS = "records_timelineseal"
AUDIT_SEALS = "records_auditseal"

# The canonical text of a row, per vendor ({p} is "NEW." in a trigger, "e." in the verification query).
_EVENT_TEXT = {
    "postgresql": (
        "{p}id::text || '|' || {p}case_id::text || '|' || {p}type || '|' || coalesce({p}actor_id::text, '')"
        " || '|' || to_char({p}created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        " || '|' || {p}is_public::text || '|' || {p}data::text"
    ),
    "sqlite": (
        "{p}id || '|' || {p}case_id || '|' || {p}type || '|' || coalesce({p}actor_id, '')"
        " || '|' || {p}created_at || '|' || {p}is_public || '|' || {p}data"
    ),
}
_AUDIT_TEXT = {
    "postgresql": (
        "{p}id::text || '|' || to_char({p}created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        " || '|' || {p}type || '|' || {p}username"
        " || '|' || coalesce({p}ip_address::text, '') || '|' || {p}success::text || '|' || {p}detail::text"
    ),
    "sqlite": (
        "{p}id || '|' || {p}created_at || '|' || {p}type || '|' || {p}username"
        " || '|' || coalesce({p}ip_address, '') || '|' || {p}success || '|' || {p}detail"
    ),
}
# The audit row's text leaves out its foreign key to the account: the row keeps the username, and an account
# deleted under the retention rules (records/retention.py) empties that key, which must not read as tampering.
# The chain a row belongs to: its case, or the UTC day of an audit row.
_AUDIT_DAY = {
    "postgresql": "({p}created_at AT TIME ZONE 'UTC')::date",
    "sqlite": "substr({p}created_at, 1, 10)",
}


def _hash(vendor: str, prev: str, text: str) -> str:
    if vendor == "postgresql":
        return f"encode(sha256(convert_to({prev} || '|' || {text}, 'UTF8')), 'hex')"
    return f"SHA256({prev} || '|' || {text})"  # Django registers SHA256() on every SQLite connection


def _last_event_seal(p: str) -> str:
    return (
        f"coalesce((SELECT s.hash FROM {EVENT_SEALS} s WHERE s.case_id = {p}case_id "
        "ORDER BY s.id DESC LIMIT 1), '')"
    )


def _last_audit_seal(vendor: str, p: str) -> str:
    return (
        f"coalesce((SELECT s.hash FROM {AUDIT_SEALS} s WHERE s.day = {_AUDIT_DAY[vendor].format(p=p)} "
        "ORDER BY s.id DESC LIMIT 1), '')"
    )


def install_sql(vendor: str) -> list[str]:
    """The statements that install the sealing (both vendors) and the append-only guard (PostgreSQL)."""
    if vendor == "postgresql":
        event_text = _EVENT_TEXT[vendor].format(p="NEW.")
        audit_text = _AUDIT_TEXT[vendor].format(p="NEW.")
        day = _AUDIT_DAY[vendor].format(p="NEW.")
        return [
            f"""
CREATE OR REPLACE FUNCTION records_seal_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('records_timeline'), (NEW.case_id % 2147483647)::int);
  prev := {_last_event_seal("NEW.")};
  INSERT INTO {EVENT_SEALS} (event_id, case_id, prev_hash, hash)
  VALUES (NEW.id, NEW.case_id, prev, {_hash(vendor, "prev", event_text)});
  RETURN NULL;
END $$;""",
            f"""
CREATE OR REPLACE FUNCTION records_seal_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('records_audit'), ({day} - DATE '2000-01-01'));
  prev := {_last_audit_seal(vendor, "NEW.")};
  INSERT INTO {AUDIT_SEALS} (event_id, day, prev_hash, hash)
  VALUES (NEW.id, {day}, prev, {_hash(vendor, "prev", audit_text)});
  RETURN NULL;
END $$;""",
            """
CREATE OR REPLACE FUNCTION records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('records.maintenance', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '记录只可追加，不可修改或删除 / % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;""",
            """
CREATE OR REPLACE FUNCTION records_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An account deleted (retention) empties the row's foreign key to it: the one change let through.
  IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
     AND ROW(NEW.id, NEW.created_at, NEW.type, NEW.username, NEW.ip_address, NEW.success, NEW.detail)
         IS NOT DISTINCT FROM
         ROW(OLD.id, OLD.created_at, OLD.type, OLD.username, OLD.ip_address, OLD.success, OLD.detail) THEN
    RETURN NEW;
  END IF;
  IF coalesce(current_setting('records.maintenance', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '记录只可追加，不可修改或删除 / % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;""",
            f"CREATE TRIGGER records_seal_timeline AFTER INSERT ON {EVENTS} "
            "FOR EACH ROW EXECUTE FUNCTION records_seal_timeline()",
            f"CREATE TRIGGER records_seal_audit AFTER INSERT ON {AUDIT} "
            "FOR EACH ROW EXECUTE FUNCTION records_seal_audit()",
            *(
                f"CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {'records_audit_append_only' if table == AUDIT else 'records_append_only'}()"
                for table in (EVENTS, AUDIT, EVENT_SEALS, AUDIT_SEALS)
            ),
        ]
    event_text = _EVENT_TEXT[vendor].format(p="NEW.")
    audit_text = _AUDIT_TEXT[vendor].format(p="NEW.")
    return [
        f"""
CREATE TRIGGER records_seal_timeline AFTER INSERT ON {EVENTS} BEGIN
  INSERT INTO {EVENT_SEALS} (event_id, case_id, prev_hash, hash)
  VALUES (NEW.id, NEW.case_id, {_last_event_seal("NEW.")},
          {_hash(vendor, _last_event_seal("NEW."), event_text)});
END""",
        f"""
CREATE TRIGGER records_seal_audit AFTER INSERT ON {AUDIT} BEGIN
  INSERT INTO {AUDIT_SEALS} (event_id, day, prev_hash, hash)
  VALUES (NEW.id, {_AUDIT_DAY[vendor].format(p="NEW.")}, {_last_audit_seal(vendor, "NEW.")},
          {_hash(vendor, _last_audit_seal(vendor, "NEW."), audit_text)});
END""",
    ]


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS records_append_only ON {t}"
                for t in (EVENTS, AUDIT, EVENT_SEALS, AUDIT_SEALS)
            ),
            f"DROP TRIGGER IF EXISTS records_seal_timeline ON {EVENTS}",
            f"DROP TRIGGER IF EXISTS records_seal_audit ON {AUDIT}",
            "DROP FUNCTION IF EXISTS records_seal_timeline()",
            "DROP FUNCTION IF EXISTS records_seal_audit()",
            "DROP FUNCTION IF EXISTS records_append_only()",
            "DROP FUNCTION IF EXISTS records_audit_append_only()",
        ]
    return ["DROP TRIGGER IF EXISTS records_seal_timeline", "DROP TRIGGER IF EXISTS records_seal_audit"]


def reinstall_sqlite_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table (ALTER by copy): put the sealing
    triggers back after every migrate (records/apps.py). PostgreSQL keeps them through ALTER TABLE."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        tables = set(conn.introspection.table_names(cursor))
        if not {EVENTS, AUDIT, EVENT_SEALS, AUDIT_SEALS} <= tables:
            return
        for statement in uninstall_sql("sqlite") + install_sql("sqlite"):
            cursor.execute(statement)


def seal_existing(cursor, vendor: str) -> None:
    """Seal the rows that existed before the triggers (the migration), oldest first, chain by chain."""
    event_text = _EVENT_TEXT[vendor].format(p="e.")
    audit_text = _AUDIT_TEXT[vendor].format(p="e.")
    day = _AUDIT_DAY[vendor].format(p="e.")
    jobs = [
        (
            f"SELECT e.id, e.case_id FROM {EVENTS} e ORDER BY e.case_id, e.id",
            f"INSERT INTO {EVENT_SEALS} (event_id, case_id, prev_hash, hash) SELECT e.id, e.case_id, %s, "
            f"{_hash(vendor, '%s', event_text)} FROM {EVENTS} e WHERE e.id = %s",
        ),
        (
            f"SELECT e.id, {day} FROM {AUDIT} e ORDER BY {day}, e.id",
            f"INSERT INTO {AUDIT_SEALS} (event_id, day, prev_hash, hash) SELECT e.id, {day}, %s, "
            f"{_hash(vendor, '%s', audit_text)} FROM {AUDIT} e WHERE e.id = %s",
        ),
    ]
    seals = (EVENT_SEALS, AUDIT_SEALS)
    for (select, insert), seal_table in zip(jobs, seals, strict=True):
        cursor.execute(select)
        rows = cursor.fetchall()
        chain, prev = object(), ""
        for row_id, key in rows:
            if key != chain:
                chain, prev = key, ""
            cursor.execute(insert, [prev, prev, row_id])
            cursor.execute(f"SELECT hash FROM {seal_table} WHERE event_id = %s", [row_id])
            prev = cursor.fetchone()[0]


@contextmanager
def maintenance():
    """A transaction allowed to change or delete sealed rows on PostgreSQL (the chain will show it)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL records.maintenance = 'on'")
        yield


@dataclass
class Break:
    chain: str  # "案件 12" / "2026-12-01"
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.chain}，记录 #{self.row_id}" if self.row_id else self.chain
        return f"{where}：{self.reason}"


@dataclass
class ChainReport:
    label: str
    rows: int = 0
    chains: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass
class IntegrityReport:
    timeline: ChainReport
    audit: ChainReport

    @property
    def ok(self) -> bool:
        return self.timeline.ok and self.audit.ok

    @property
    def parts(self) -> tuple[ChainReport, ChainReport]:
        return self.timeline, self.audit

    def lines(self) -> list[str]:
        out = []
        for part in self.parts:
            state = "完好 / intact" if part.ok else f"发现 {len(part.breaks)} 处断裂 / broken"
            out.append(f"{part.label}：{part.rows} 条记录，{part.chains} 条链，{state}")
            out += [f"  - {b}" for b in part.breaks]
        return out


def _walk(rows: Iterator[tuple], label: str, chain_label, report: ChainReport) -> None:
    """Rows (seal id, chain key, event id, prev_hash, hash, recomputed, event exists) in chain order."""
    chain, prev, broken = object(), "", False
    for _seal_id, key, event_id, prev_hash, stored, recomputed, exists in rows:
        report.rows += 1
        if key != chain:
            chain, prev, broken = key, "", False
            report.chains += 1
        if broken:
            continue  # the first broken link of each chain is the one to look at
        reason = ""
        if not exists:
            reason = "已封存的记录被删除 / a sealed row was deleted"
        elif prev_hash != prev:
            reason = "与上一条记录的链接不符（中间有记录被删除或插入）/ the link to the previous row does not match"
        elif recomputed != stored:
            reason = "记录在封存后被修改 / the row was changed after it was sealed"
        if reason:
            report.breaks.append(Break(chain_label(key), event_id, reason))
            broken = True
        prev = stored


def verify(*, using=None) -> IntegrityReport:
    """Check both chains from the rows as they are now (a server-side cursor: memory does not grow)."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    vendor = conn.vendor
    timeline = ChainReport("案件时间线 / case timeline")
    audit = ChainReport("安全审计 / security audit")
    queries = [
        (
            timeline,
            f"SELECT s.id, s.case_id, s.event_id, s.prev_hash, s.hash, "
            f"{_hash(vendor, 's.prev_hash', _EVENT_TEXT[vendor].format(p='e.'))}, e.id IS NOT NULL "
            f"FROM {EVENT_SEALS} s LEFT JOIN {EVENTS} e ON e.id = s.event_id ORDER BY s.case_id, s.id",
            lambda key: f"案件 {key}",
            f"SELECT e.id, e.case_id FROM {EVENTS} e LEFT JOIN {EVENT_SEALS} s ON s.event_id = e.id "
            "WHERE s.id IS NULL ORDER BY e.id",
        ),
        (
            audit,
            f"SELECT s.id, s.day, s.event_id, s.prev_hash, s.hash, "
            f"{_hash(vendor, 's.prev_hash', _AUDIT_TEXT[vendor].format(p='e.'))}, e.id IS NOT NULL "
            f"FROM {AUDIT_SEALS} s LEFT JOIN {AUDIT} e ON e.id = s.event_id ORDER BY s.day, s.id",
            lambda key: f"审计日 {key}",
            f"SELECT e.id, {_AUDIT_DAY[vendor].format(p='e.')} FROM {AUDIT} e "
            f"LEFT JOIN {AUDIT_SEALS} s ON s.event_id = e.id WHERE s.id IS NULL ORDER BY e.id",
        ),
    ]
    with transaction.atomic(using=conn.alias):
        for report, walk_sql, chain_label, unsealed_sql in queries:
            with conn.chunked_cursor() as cursor:
                cursor.execute(walk_sql)
                _walk(_rows(cursor), report.label, chain_label, report)
            with conn.cursor() as cursor:
                cursor.execute(unsealed_sql)
                for row_id, key in cursor.fetchall():
                    report.breaks.append(
                        Break(
                            chain_label(key), row_id, "记录没有封存（绕过了触发器写入）/ the row has no seal"
                        )
                    )
    return IntegrityReport(timeline, audit)


def _rows(cursor, size: int = 2000) -> Iterator[tuple]:
    while batch := cursor.fetchmany(size):
        yield from batch
