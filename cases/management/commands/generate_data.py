"""Fill PostgreSQL with N realistic cases for the benchmark (bench/README.md), fast and in bounded memory.

Shape: a province-like tree of centers (county → town → village), staff with memberships,
then cases in chunks. Each chunk first draws one ``CasePlan`` per case (the facts every
table needs: id, centers, status, times, channel, mediator), then every entry of ``TABLES``
turns the plans into rows of its table, which are streamed to PostgreSQL with COPY.
A table added later (sessions, agreements, visits, clocks) is one more generator function
and one more ``Table(...)`` line in ``TABLES``; columns a generator leaves out get the
model field's default (or NULL), so new nullable/defaulted columns need no change here.

Tables that hang on others' rows (session participants, signatures, ratings) read them from the
plan (``parties_ids``, ``sessions``, ``agreement_id``), set by the earlier tables of the chunk or,
with ``--only-extra``, loaded from the database; timeline events of the extra tables are queued with
``Chunk.event`` and written last. ``--only-extra`` is resumable and idempotent per table (its
progress is in ``generate_data_progress``; see ``generate_extra``).

Peak memory depends on the chunk size, not on N (see the report printed at the end).
"""

import io
import json
import random
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Center, Department, Membership, User
from cases import timeline
from cases.identity import CREDIT_CODE_CHARS, credit_code_check_char, resident_id_check_char
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseClock,
    CaseConference,
    CaseNumberSequence,
    DisputeType,
    Evaluation,
    FollowUpVisit,
    MediationSession,
    OralAgreement,
    Outcome,
    Party,
    PolicyClock,
    Rating,
    Status,
    SupervisionOrder,
    TerminationNotice,
    TimelineEvent,
    WarningChange,
)
from cases.services import warnings as _warning_events  # noqa: F401  (registers its event types)
from cases.services.intake import TRACKING_ALPHABET, TRACKING_LENGTH
from cases.services.lifecycle import NOTICE_OUTCOMES
from cases.services.portal import BAD_RATING_MAX
from cases.workcalendar import WorkCalendar
from routing import events as _routing_events  # noqa: F401  (registers its event types)
from routing.models import CaseAssignment, Channel, Summons

BENCH_PASSWORD = "Bench-pass-2026"
PROVINCE_CODE = "33"
CHINA_OFFSET = timedelta(hours=8)  # case numbers carry the year in Beijing time

# Status mix: about 10% open, the rest closed or not accepted (weights in per mille).
STATUS_MIX = [
    (Status.SUBMITTED, 5),
    (Status.REGISTERED, 15),
    (Status.ROUTED, 20),
    (Status.IN_MEDIATION, 45),
    (Status.CONCLUDED, 10),
    (Status.EVALUATED, 5),
    (Status.CLOSED, 860),
    (Status.NOT_ACCEPTED, 40),
]
SOURCE_MIX = [
    ("counter", 40),
    ("phone", 10),
    ("hotline_12345", 18),
    ("grid", 12),
    ("petition_system", 6),
    ("online", 8),
    ("court_referral", 3),
    ("police_referral", 2),
    ("other", 1),
]
OPEN_WARNING_MIX = [(0, 60), (1, 20), (2, 12), (3, 6), (4, 2)]
# Where cases are handled: county centers take the hard ones, villages the small ones.
LEVEL_MIX = [(Center.Level.COUNTY, 35), (Center.Level.TOWN, 45), (Center.Level.VILLAGE, 20)]
LONG_TIMELINE_SHARE = 0.001  # one case in a thousand carries 150–400 events
OPEN = {s.value for s in (Status.SUBMITTED, Status.REGISTERED, Status.ROUTED, Status.IN_MEDIATION)} | {
    Status.CONCLUDED.value,
    Status.EVALUATED.value,
}

ENDED = {Status.CONCLUDED.value, Status.EVALUATED.value, Status.CLOSED.value}
WORKED = ENDED | {Status.IN_MEDIATION.value}  # cases a mediator has taken (assignment, sessions)
# How concluded cases end (Outcome): about 60% written agreement, 15% oral, the rest not resolved.
OUTCOME_MIX = [
    (Outcome.WRITTEN_AGREEMENT.value, 60),
    (Outcome.ORAL_AGREEMENT.value, 15),
    (Outcome.FAILED.value, 12),
    (Outcome.WITHDRAWN.value, 6),
    (Outcome.REFUSED.value, 4),
    (Outcome.TRANSFERRED.value, 3),
]
CLOSING_SUMMARY = {
    Outcome.WRITTEN_AGREEMENT.value: "经调解，双方自愿达成书面调解协议。",
    Outcome.ORAL_AGREEMENT.value: "经调解，双方达成口头协议并当场履行。",
    Outcome.FAILED.value: "经多次调解未能达成协议，已告知当事人其他救济途径。",
    Outcome.WITHDRAWN.value: "申请人撤回调解申请。",
    Outcome.REFUSED.value: "一方当事人明确拒绝调解。",
    Outcome.TRANSFERRED.value: "当事人选择诉讼解决，已引导至人民法院。",
}
SATISFACTION_MIX = [(5, 45), (4, 33), (3, 13), (2, 6), (1, 3)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海燕文辉鹏飞晓东婷雪慧"
COMPANY_WORDS = ["建设", "物业服务", "商贸", "劳务", "运输", "食品", "纺织", "置业", "机械", "医疗器械"]
PLACE_WORDS = [
    "东",
    "西",
    "南",
    "北",
    "新",
    "和平",
    "光明",
    "长安",
    "青山",
    "清河",
    "永安",
    "双溪",
    "白沙",
    "石桥",
]
SUMMARIES = {
    "family": "{a}与{b}因离婚后子女抚养费支付问题发生争执，{b}已连续{n}个月未支付抚养费。",
    "neighbour": "{a}与邻居{b}因房屋滴水、通道占用问题多次发生口角，曾{n}次报警。",
    "housing": "{a}与{b}因宅基地边界不清发生纠纷，争议面积约{n}平方米。",
    "contract": "{a}与{b}因买卖合同货款结算发生纠纷，尚欠货款{n}万元。",
    "business": "{a}与{b}因合伙经营利润分配产生矛盾，涉及金额约{n}万元。",
    "damages": "{a}饲养的犬只咬伤{b}，双方就医疗费等{n}千元赔偿未达成一致。",
    "forest_land": "{a}与{b}因山林权属界线发生争议，涉及山林约{n}亩。",
    "land_contracting": "{a}与村集体及{b}因土地承包经营权流转费用发生纠纷，涉及{n}亩。",
    "requisition": "{a}对征地拆迁补偿标准有异议，与{b}协商{n}次未果。",
    "pollution": "{a}反映{b}厂区夜间噪声及废水排放影响生活，已持续{n}个月。",
    "labour": "{a}等{n}名工人反映{b}拖欠工资，要求支付欠薪。",
    "consumer": "{a}在{b}处购买的商品存在质量问题，要求退款{n}千元被拒。",
    "medical": "{a}家属认为{b}诊疗存在过错，要求赔偿，涉及金额约{n}万元。",
    "traffic": "{a}与{b}发生交通事故，就{n}万元损失赔偿产生争议。",
    "property": "{a}等业主与{b}因物业费及公共收益分配发生纠纷，涉及{n}户。",
    "other": "{a}与{b}因琐事发生纠纷，已持续{n}个月。",
}


# --- COPY encoding ----------------------------------------------------------------------


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def encode(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)  # the common exact types first: this runs for every column of every row
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)
    if kind is datetime:
        return value.isoformat()
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return _escape(json.dumps(value, ensure_ascii=False))
    return _escape(str(value))


class Table:
    """One table of the generated data: its model, and a function from a chunk's plans to row dicts."""

    def __init__(
        self,
        model: type[models.Model],
        rows: Callable[["Chunk"], Iterable[dict]],
        *,
        auto_id: bool = False,
        has_rows: str | None = "SELECT DISTINCT case_id FROM {table} WHERE case_id = ANY(%s)",
    ):
        """``auto_id``: the rows take their ids from the table's sequence (nothing refers to them).
        ``has_rows``: which of some cases (``= ANY(%s)``) already have rows here, so that ``--only-extra``
        skips them; None for a table written for whatever the others wrote (the events)."""
        self.model = model
        self.rows = rows
        self.has_rows = has_rows.format(table=model._meta.db_table) if has_rows else None
        self.fields = [f for f in model._meta.concrete_fields if not (auto_id and f.primary_key)]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = encode(f.get_default())
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = None  # filled with "now" per chunk
            elif f.null:
                self.defaults[f.attname] = "\\N"
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
            else:
                self.defaults[f.attname] = None  # the generator must give it
        self.count = 0

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def copy(self, cursor, chunk: "Chunk") -> int:
        buffer = io.StringIO()
        now_text = encode(chunk.ctx.now)
        cells = []  # (attname, encoded default or None when the generator must give it)
        for f in self.fields:
            default = self.defaults[f.attname]
            if default is None and f.attname in ("created_at", "updated_at", "uploaded_at"):
                default = now_text
            cells.append((f.attname, default))
        write = buffer.write
        written = 0
        for row in self.rows(chunk):
            try:
                write("\t".join([encode(row[a]) if a in row else d for a, d in cells]))
            except TypeError:  # a None default: a column without a value
                missing = [a for a, d in cells if d is None and a not in row]
                if not missing:
                    raise
                raise CommandError(f"generate_data: no value for {self.name}.{missing[0]}") from None
            write("\n")
            written += 1
        if written:
            buffer.seek(0)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            cursor.copy_expert(f"COPY {self.name} ({columns}) FROM STDIN", buffer)
        self.count += written
        return written


def reserve_ids(cursor, model: type[models.Model], n: int) -> list[int]:
    """Take n ids from the table's sequence in one round trip (the rows are then COPYed with them)."""
    if n == 0:
        return []
    table = model._meta.db_table
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, n])
    last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))


# --- Context: the tree, people and reference data ----------------------------------------


@dataclass
class Staff:
    clerks: list[int] = field(default_factory=list)
    mediators: dict[int, list[int]] = field(default_factory=dict)  # channel_id -> user ids
    supervisors: list[int] = field(default_factory=list)


@dataclass
class Context:
    rng: random.Random
    now: datetime
    years: int
    centers: dict[int, Center]
    by_level: dict[int, list[Center]]
    staff: dict[int, Staff]  # center id -> people working there
    dispute_types: list[DisputeType]
    channels: list[Channel]
    serials: dict[tuple[int, int], int]  # (center id, year) -> last serial issued
    touched: set = field(default_factory=set)  # serials changed in the current chunk
    long_timeline_share: float = LONG_TIMELINE_SHARE
    handling_clock: PolicyClock | None = None  # the general people-mediation 'handling' clock (seeded)
    departments: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # county id -> (id, name)
    liaisons: dict[int, int] = field(default_factory=dict)  # department id -> its liaison's user id
    names: dict[int, str] = field(default_factory=dict)  # staff user id -> display name (event data)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)  # for the judicial-confirmation deadline


@dataclass
class CasePlan:
    id: int
    origin: Center
    center: Center
    status: str
    source: str
    dispute_type: DisputeType
    created_at: datetime
    warning_level: int
    channel_id: int | None
    mediator_id: int | None
    clerk_id: int | None
    closed_at: datetime | None
    concluded_at: datetime | None
    routed_at: datetime | None
    n_extra_events: int
    parties: list[dict] = field(default_factory=list)
    outcome: str = ""  # cases.models.lifecycle.Outcome, for concluded/closed and not-accepted cases
    due_at: datetime | None = None  # the handling deadline of an open case (Case.due_at, CaseClock.due_at)
    agreement_id: int | None = None  # set by agreement_rows (or loaded), read by term and signature rows
    agreement_signed_at: datetime | None = None  # when the mediator signed and the seal went on
    # (id, name, phone) of the case's parties, applicant first: set by party_rows, or loaded
    parties_ids: list[tuple[int, str, str]] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)  # (party id, citizen user id, time, score)
    sessions: list[tuple[int, datetime]] = field(default_factory=list)  # (session id, started_at)


@dataclass
class Chunk:
    ctx: Context
    plans: list[CasePlan]
    cursor: object
    # Timeline events of the rows written in this chunk: (case id, type, time, actor id, public, data),
    # written last by the TimelineEvent table of ``extra_tables()``.
    events: list[tuple] = field(default_factory=list)

    def view(self, plans: list[CasePlan]) -> "Chunk":
        """The same chunk (cursor, pending events) over some of its plans."""
        return Chunk(self.ctx, plans, self.cursor, self.events)

    def event(self, plan: CasePlan, kind: str, moment: datetime, actor: int | None, data: dict) -> None:
        self.events.append((plan.id, kind, moment, actor, timeline.REGISTRY[kind].public, data))


def weighted(rng: random.Random, mix: list[tuple]) -> list:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def resident_id(rng: random.Random, area_code: str, now: datetime) -> tuple[str, date, str]:
    born = date(now.year - rng.randint(18, 85), rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(0, 999)
    first17 = f"{area_code[:6]}{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17), born, "M" if seq % 2 else "F"


def credit_code(rng: random.Random, area_code: str) -> str:
    body = "91" + area_code[:6] + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(9))
    return body + credit_code_check_char(body)


def mobile(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + "".join(rng.choice("0123456789") for _ in range(9))


def build_tree(counties: int, towns: int, villages: int, rng: random.Random) -> list[Center]:
    """County centers with their towns and villages, ids reserved first so that ``path`` is written once."""
    names = ["县", "市", "区"]
    with connection.cursor() as cursor:
        total = counties * (1 + towns * (1 + villages))
        ids = iter(reserve_ids(cursor, Center, total))
    rows = []
    for c in range(counties):
        cid = next(ids)
        suffix = names[c % 3]
        county_name = f"{rng.choice(PLACE_WORDS)}{rng.choice(PLACE_WORDS)}{c + 1}{suffix}"
        county_code = f"{PROVINCE_CODE}{(c // 20) + 1:02d}{(c % 20) + 1:02d}"
        county = Center(
            id=cid,
            name=f"{county_name}社会矛盾纠纷调处化解中心",
            short_name=county_name[:20],
            level=Center.Level.COUNTY,
            area_code=county_code,
            path=f"/{cid}/",
            address=f"{county_name}人民路{c + 1}号",
            phone=f"0571-8{rng.randint(1000000, 9999999)}",
        )
        rows.append(county)
        for t in range(towns):
            tid = next(ids)
            town_name = f"{rng.choice(PLACE_WORDS)}{t + 1}{'镇' if t % 3 else '街道'}"
            town_code = f"{county_code}{t + 1:03d}"
            town = Center(
                id=tid,
                name=f"{county_name}{town_name}矛调中心",
                short_name=f"{county_name[:8]}{town_name}"[:20],
                level=Center.Level.TOWN,
                parent_id=cid,
                area_code=town_code,
                path=f"{county.path}{tid}/",
            )
            rows.append(town)
            for v in range(villages):
                vid = next(ids)
                village_name = f"{rng.choice(PLACE_WORDS)}{v + 1}村"
                rows.append(
                    Center(
                        id=vid,
                        name=f"{town_name}{village_name}人民调解委员会",
                        short_name=f"{county_name}{town_name}{village_name}"[:20],
                        level=Center.Level.VILLAGE,
                        parent_id=tid,
                        area_code=f"{town_code}{v + 1:03d}",
                        path=f"{town.path}{vid}/",
                    )
                )
    Center.objects.bulk_create(rows, batch_size=2000)
    return rows


def build_staff(centers: list[Center], channels: list[Channel], rng: random.Random) -> None:
    """Clerks, mediators (one per channel at counties) and supervisors, all with one shared password hash."""
    password = make_password(BENCH_PASSWORD)
    users, memberships = [], []

    def person(username: str, center: Center, role: str, channel: Channel | None = None) -> None:
        user = User(
            username=username,
            display_name=person_name(rng),
            kind=User.Kind.STAFF,
            password=password,
            phone=mobile(rng),
        )
        users.append(user)
        memberships.append((user, center, role, channel))

    for center in centers:
        if center.level == Center.Level.COUNTY:
            person(f"sup{center.id}", center, Membership.Role.SUPERVISOR)
            for i in range(2):
                person(f"clerk{center.id}_{i}", center, Membership.Role.CLERK)
            for channel in channels:
                person(f"med{center.id}_{channel.code}", center, Membership.Role.MEDIATOR, channel)
        elif center.level == Center.Level.TOWN:
            person(f"sup{center.id}", center, Membership.Role.SUPERVISOR)
            person(f"clerk{center.id}_0", center, Membership.Role.CLERK)
            person(f"med{center.id}_0", center, Membership.Role.MEDIATOR)
        elif rng.random() < 0.25:  # some village committees have an account for their mediator
            person(f"med{center.id}_0", center, Membership.Role.MEDIATOR)
    User.objects.bulk_create(users, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=u, center=c, role=r, channel=ch) for u, c, r, ch in memberships], batch_size=2000
    )


# The departments stationed at (or on call for) a county center, as in accounts.demo.
DEPARTMENTS = [
    ("court", "人民法院", Department.Seating.RESIDENT),
    ("police", "公安局", Department.Seating.RESIDENT),
    ("petition", "信访局", Department.Seating.RESIDENT),
    ("justice", "司法局", Department.Seating.RESIDENT),
    ("hrss", "人力资源和社会保障局", Department.Seating.ROTATING),
    ("housing", "住房和城乡建设局", Department.Seating.ROTATING),
    ("enforcement", "综合行政执法局", Department.Seating.ROTATING),
    ("health", "卫生健康局（医调委）", Department.Seating.ON_CALL),
    ("market", "市场监督管理局", Department.Seating.ON_CALL),
]


def ensure_departments(rng: random.Random) -> int:
    """The departments of every generated county that has none yet, each with one liaison (部门联络员,
    username ``liaison<department id>``); idempotent, so ``--only-extra`` adds them to an older database."""
    counties = list(
        Center.objects.filter(level=Center.Level.COUNTY, area_code__startswith=PROVINCE_CODE)
        .exclude(departments__isnull=False)
        .order_by("pk")
    )
    if not counties:
        return 0
    with transaction.atomic():
        departments = Department.objects.bulk_create(
            [
                Department(center=county, code=code, name=f"{county.short_name}{name}"[:60], seating=seating)
                for county in counties
                for code, name, seating in DEPARTMENTS
            ],
            batch_size=2000,
        )
        password = make_password(BENCH_PASSWORD)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"liaison{d.pk}",
                    display_name=person_name(rng),
                    kind=User.Kind.STAFF,
                    password=password,
                    phone=mobile(rng),
                )
                for d in departments
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, center_id=d.center_id, role=Membership.Role.LIAISON, department=d)
                for u, d in zip(users, departments, strict=True)
            ],
            batch_size=2000,
        )
    return len(departments)


def load_context(seed: int, years: int) -> Context:
    centers = {c.id: c for c in Center.objects.all()}
    by_level: dict[int, list[Center]] = {1: [], 2: [], 3: []}
    for c in centers.values():
        by_level[c.level].append(c)
    staff: dict[int, Staff] = {}
    for m in Membership.objects.all().only("user_id", "center_id", "role", "channel_id"):
        s = staff.setdefault(m.center_id, Staff())
        if m.role == Membership.Role.CLERK:
            s.clerks.append(m.user_id)
        elif m.role == Membership.Role.MEDIATOR:
            s.mediators.setdefault(m.channel_id or 0, []).append(m.user_id)
        elif m.role == Membership.Role.SUPERVISOR:
            s.supervisors.append(m.user_id)
    serials = {(s.center_id, s.year): s.last_serial for s in CaseNumberSequence.objects.all()}
    departments: dict[int, list[tuple[int, str]]] = {}
    for d in Department.objects.filter(center__level=Center.Level.COUNTY).order_by("pk"):
        departments.setdefault(d.center_id, []).append((d.pk, d.name))
    liaisons = dict(
        Membership.objects.filter(role=Membership.Role.LIAISON, department__isnull=False)
        .order_by("-pk")
        .values_list("department_id", "user_id")
    )
    return Context(
        rng=random.Random(seed),
        now=timezone.now(),
        years=years,
        centers=centers,
        by_level=by_level,
        staff=staff,
        dispute_types=list(DisputeType.objects.filter(active=True)),
        channels=list(Channel.objects.all()),
        serials=serials,
        handling_clock=PolicyClock.objects.filter(code="handling", policy__code="people-mediation").first(),
        departments=departments,
        liaisons=liaisons,
        names=dict(User.objects.filter(kind=User.Kind.STAFF).values_list("pk", "display_name")),
    )


# --- Plans and per-table generators --------------------------------------------------------


def plan_cases(ctx: Context, ids: list[int]) -> list[CasePlan]:
    rng, now = ctx.rng, ctx.now
    span = ctx.years * 365 * 86400
    plans = []
    for case_id in ids:
        status = weighted(rng, STATUS_MIX)
        is_open = status in OPEN
        # Open cases are recent (the last 90 days); closed ones spread over the years.
        age = rng.random() * (90 * 86400 if is_open else span)
        created = now - timedelta(seconds=age + 3600)
        level = weighted(rng, LEVEL_MIX)
        center = rng.choice(ctx.by_level[level])
        origin = center
        if level == Center.Level.VILLAGE and rng.random() < 0.3:
            origin = ctx.centers[center.parent_id]  # registered at the town, handed down
        staff = ctx.staff.get(center.id) or ctx.staff.get(center.parent_id) or Staff()
        origin_staff = ctx.staff.get(origin.id) or staff
        routed = status not in (Status.SUBMITTED, Status.REGISTERED, Status.NOT_ACCEPTED)
        channel = rng.choice(ctx.channels) if routed else None
        mediator = None
        if routed:
            pool = staff.mediators.get(channel.id) or staff.mediators.get(0) or []
            mediator = rng.choice(pool) if pool else None
        duration = timedelta(days=rng.triangular(1, 75, 20))
        concluded = (
            created + duration if status in (Status.CONCLUDED, Status.EVALUATED, Status.CLOSED) else None
        )
        closed = concluded + timedelta(days=rng.randint(1, 10)) if status == Status.CLOSED else None
        if status == Status.NOT_ACCEPTED:
            closed = created + timedelta(days=rng.randint(1, 15))
        if closed and closed > now:  # a recent case cannot have closed in the future
            closed = now - timedelta(hours=1)
        if concluded and concluded > (closed or now):
            concluded = (closed or now) - timedelta(hours=1)
        plans.append(
            CasePlan(
                id=case_id,
                origin=origin,
                center=center,
                status=status,
                source=weighted(rng, SOURCE_MIX),
                dispute_type=rng.choice(ctx.dispute_types),
                created_at=created,
                warning_level=weighted(rng, OPEN_WARNING_MIX) if is_open else 0,
                channel_id=channel.id if channel else None,
                mediator_id=mediator,
                clerk_id=rng.choice(origin_staff.clerks) if origin_staff.clerks else None,
                closed_at=closed,
                concluded_at=concluded,
                routed_at=created + timedelta(hours=rng.randint(1, 72)) if routed else None,
                n_extra_events=rng.randint(150, 400)
                if rng.random() < ctx.long_timeline_share
                else rng.randint(0, 3),
                outcome=pick_outcome(rng, status),
                due_at=created + timedelta(days=rng.choice((15, 30, 60))) if is_open else None,
            )
        )
    return plans


def pick_outcome(rng: random.Random, status: str) -> str:
    if status == Status.NOT_ACCEPTED:
        return Outcome.NOT_ACCEPTED
    if status in ENDED:
        return weighted(rng, OUTCOME_MIX)
    return ""


def case_rows(chunk: Chunk) -> Iterator[dict]:
    ctx, rng = chunk.ctx, chunk.ctx.rng
    for p in chunk.plans:
        year = (p.created_at + CHINA_OFFSET).year
        key = (p.origin.id, year)
        serial = ctx.serials[key] = ctx.serials.get(key, 0) + 1
        ctx.touched.add(key)
        applicant = person_name(rng)
        respondent = person_name(rng)
        if rng.random() < 0.2:
            respondent = f"{rng.choice(PLACE_WORDS)}{rng.choice(COMPANY_WORDS)}有限公司"
        p.parties = [{"name": applicant}, {"name": respondent}]
        n = rng.randint(2, 30)
        is_open = p.status in OPEN
        red = p.warning_level == 4
        amount = round(rng.lognormvariate(9, 1.5), 2) if rng.random() < 0.6 else None
        response_due = p.created_at + timedelta(days=3) if is_open else None
        due = p.due_at
        yield {
            "id": p.id,
            "number": f"({year}){p.origin.short_name}矛调字第{serial}号",
            "year": year,
            "serial": serial,
            "tracking_code": "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH)),
            "origin_center_id": p.origin.id,
            "center_id": p.center.id,
            "status": p.status,
            "outcome": p.outcome,
            "source": p.source,
            "dispute_type_id": p.dispute_type.id,
            "summary": SUMMARIES.get(p.dispute_type.code, SUMMARIES["other"]).format(
                a=applicant, b=respondent, n=n
            ),
            "claims": "请求依法调解，维护合法权益。",
            "amount": amount,
            "people_count": n if p.dispute_type.code == "labour" else rng.choice((1, 2, 2, 3)),
            "place": f"{p.center.name[:12]}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 300)}号",
            "is_group": p.dispute_type.code == "labour" and n >= 5,
            "risk_violence": red and rng.random() < 0.5,
            "risk_mass_incident": p.warning_level >= 3 and rng.random() < 0.3,
            "risk_upward_petition": p.source == "petition_system" and rng.random() < 0.3,
            "police_calls": rng.choice((0, 0, 0, 1, 2)) if p.dispute_type.code == "neighbour" else 0,
            "channel_id": p.channel_id,
            "priority": 1 if p.warning_level >= 3 else 0,
            "warning_level": p.warning_level,
            "risk_level": p.warning_level if rng.random() < 0.5 else 0,
            "time_level": p.warning_level,
            "response_due_at": response_due,
            "due_at": due,
            # The sweep has run: open cases are next looked at within the day (the sweep benchmark makes some due).
            "next_check_at": ctx.now + timedelta(minutes=rng.randint(1, 1440)) if is_open else None,
            "registered_by_id": p.clerk_id if p.source in ("counter", "phone") else None,
            "external_system": "hotline_12345" if p.source == "hotline_12345" else "",
            "external_id": f"H{p.id:010d}" if p.source == "hotline_12345" else "",
            "money_covered": amount if p.status == Status.CLOSED and amount else None,
            "prevented_criminal": p.status == Status.CLOSED and rng.random() < 0.02,
            "prevented_group_petition": p.status == Status.CLOSED and rng.random() < 0.01,
            "closing_summary": CLOSING_SUMMARY.get(p.outcome, "") if p.status == Status.CLOSED else "",
            "created_at": p.created_at,
            "updated_at": p.closed_at or p.created_at,
            "accepted_at": None if p.status in (Status.SUBMITTED, Status.NOT_ACCEPTED) else p.created_at,
            "routed_at": p.routed_at,
            "concluded_at": p.concluded_at,
            "closed_at": p.closed_at,
        }


def party_rows(chunk: Chunk) -> Iterator[dict]:
    ctx, rng = chunk.ctx, chunk.ctx.rng
    ids = iter(reserve_ids(chunk.cursor, Party, sum(len(p.parties) for p in chunk.plans)))
    for p in chunk.plans:
        area = p.center.area_code[:6]
        for index, party in enumerate(p.parties):
            role = Party.Role.APPLICANT if index == 0 else Party.Role.RESPONDENT
            party_id, phone = next(ids), mobile(rng)
            p.parties_ids.append((party_id, party["name"], phone))
            if party["name"].endswith("公司"):
                yield {
                    "id": party_id,
                    "case_id": p.id,
                    "role": role,
                    "kind": Party.Kind.LEGAL,
                    "name": party["name"],
                    "credit_code": credit_code(rng, area),
                    "legal_representative": person_name(rng),
                    "phone": phone,
                    "address": p.center.name[:20],
                    "area_code": area,
                }
                continue
            number, born, sex = resident_id(rng, area, ctx.now)
            yield {
                "id": party_id,
                "case_id": p.id,
                "role": role,
                "kind": Party.Kind.PERSON,
                "name": party["name"],
                "id_type": Party.IdType.RESIDENT_ID,
                "id_number": number,
                "sex": sex,
                "birth_date": born,
                "phone": phone,
                "address": f"{p.center.name[:12]}{rng.randint(1, 99)}号",
                "area_code": area,
            }


def event_rows(chunk: Chunk) -> Iterator[dict]:
    """The events a case at its status has been through, plus notes and warning changes; a few very long."""
    rng = chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        t = p.created_at
        events = [("submitted" if p.status == Status.SUBMITTED else "registered", t, p.clerk_id, True, {})]
        if p.status == Status.NOT_ACCEPTED:
            events.append(
                ("not_accepted", p.closed_at, p.clerk_id, True, {"reason": "不属于人民调解受理范围"})
            )
        if p.routed_at:
            events.append(("routed", p.routed_at, p.clerk_id, True, {"channel": p.channel_id}))
            events.append(
                ("assigned", p.routed_at + timedelta(minutes=30), None, False, {"to": p.mediator_id})
            )
        start = p.routed_at or t
        end = p.concluded_at or p.closed_at or chunk.ctx.now
        for _ in range(p.n_extra_events):
            moment = start + (end - start) * rng.random()
            kind = rng.choice(
                ("note_added", "session_held", "visit_recorded", "warning_changed", "call_logged")
            )
            events.append((kind, moment, p.mediator_id, False, {"note": "电话联系当事人，了解诉求"}))
        if p.warning_level:
            events.append(("warning_raised", t + timedelta(hours=2), None, False, {"level": p.warning_level}))
        if p.concluded_at:
            events.append(("concluded", p.concluded_at, p.mediator_id, True, {"outcome": p.outcome}))
        if p.status in (Status.EVALUATED, Status.CLOSED):
            evaluated = p.concluded_at + ((p.closed_at or chunk.ctx.now) - p.concluded_at) / 2
            events.append(("evaluated", evaluated, evaluator_of(chunk.ctx, p), False, {}))
        if p.status == Status.CLOSED:
            events.append(("closed", p.closed_at, p.mediator_id, True, {}))
        planned.append((p.id, events))
    yield from timeline_rows(chunk, [(case_id, *event) for case_id, events in planned for event in events])


def timeline_rows(chunk: Chunk, events: list[tuple]) -> Iterator[dict]:
    """TimelineEvent rows from ``(case_id, type, created_at, actor_id, is_public, data)`` tuples."""
    ids = iter(reserve_ids(chunk.cursor, TimelineEvent, len(events)))
    for case_id, kind, moment, actor, public, data in events:
        yield {
            "id": next(ids),
            "case_id": case_id,
            "type": kind,
            "actor_id": actor,
            "created_at": moment,
            "is_public": public,
            "data": data,
        }


# --- Lifecycle, routing and warnings tables (one row set per chunk, from the same plans) ---------


def assignment_rows(chunk: Chunk) -> Iterator[dict]:
    """The lead mediator of every case a mediator has taken (in mediation or later). Closing a case
    does not end its assignment (routing ends one only on reassignment, recusal or transfer)."""
    rng = chunk.ctx.rng
    worked = [p for p in chunk.plans if p.status in WORKED and p.mediator_id]
    ids = iter(reserve_ids(chunk.cursor, CaseAssignment, len(worked)))
    for p in worked:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "mediator_id": p.mediator_id,
            "is_lead": True,
            "how": rng.choice(("claim", "claim", "assign", "auto")),
            "assigned_by_id": None,
            "assigned_at": (p.routed_at or p.created_at) + timedelta(minutes=30),
            "ended_at": None,
        }


SESSION_TEXT = {
    "agreed": ("双方在调解员主持下充分陈述意见，就争议事项达成一致。", "达成一致，拟制作调解协议。"),
    "partial": ("双方就主要事实达成共识，赔偿金额仍有分歧。", "部分达成一致，约定再次调解。"),
    "failed": ("双方分歧较大，一方坚持原有诉求。", "未达成一致。"),
}


OTHER_PARTICIPANTS = ("",) * 6 + ("村委会干部", "当事人亲属", "律师", "人民陪审员", "网格员")


def session_rows(chunk: Chunk) -> Iterator[dict]:
    """1–3 mediation sessions per worked case; the last one agrees when the case ended in an agreement."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status not in WORKED:
            continue
        n = rng.choice((1, 1, 2, 2, 3))
        start = (p.routed_at or p.created_at) + timedelta(hours=2)
        end = p.concluded_at or ctx.now
        for i in range(n):
            last = i == n - 1
            if p.outcome in (Outcome.WRITTEN_AGREEMENT, Outcome.ORAL_AGREEMENT) and last:
                outcome = "agreed"
            elif p.outcome in (Outcome.FAILED, Outcome.REFUSED, Outcome.TRANSFERRED) and last:
                outcome = "failed"
            else:
                outcome = rng.choice(("partial", "failed", "partial", ""))
            moment = start + (end - start) * ((i + rng.random()) / n)
            planned.append((p, moment, outcome))
    ids = iter(reserve_ids(chunk.cursor, MediationSession, len(planned)))
    for p, moment, outcome in planned:
        discussion, result = SESSION_TEXT.get(outcome or "partial")
        session_id = next(ids)
        p.sessions.append((session_id, moment))
        yield {
            "id": session_id,
            "case_id": p.id,
            "started_at": moment,
            "mode": rng.choice(("in_person", "in_person", "in_person", "online", "phone")),
            "place": f"{p.center.short_name}调解室",
            "discussion": discussion,
            "result": result if outcome else "",
            "outcome": outcome,
            "other_participants": rng.choice(OTHER_PARTICIPANTS),
            "recorded_by_id": p.mediator_id,
            "created_at": moment,
            "updated_at": moment,
        }


def agreement_rows(chunk: Chunk) -> Iterator[dict]:
    """A signed and sealed written agreement for each case that ended with one."""
    written = [p for p in chunk.plans if p.outcome == Outcome.WRITTEN_AGREEMENT and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, Agreement, len(written)))
    for p in written:
        p.agreement_id = next(ids)
        signed = p.agreement_signed_at = p.concluded_at
        yield {
            "id": p.agreement_id,
            "case_id": p.id,
            "facts": f"{p.dispute_type.name}纠纷，双方当事人对基本事实无异议。",
            "issues": "赔偿金额及履行方式。",
            "responsibilities": "双方对纠纷的发生均负有一定责任，被申请人负主要责任。",
            "mediator_signed_at": signed,
            "mediator_signed_by_id": p.mediator_id,
            "sealed_at": signed,
            "effective_on": (signed + CHINA_OFFSET).date(),
            "voided": False,
            "drafted_by_id": p.mediator_id,
            "created_at": signed - timedelta(hours=1),
            "updated_at": signed,
        }


def term_rows(chunk: Chunk) -> Iterator[dict]:
    """1–3 terms per written agreement, some paid at once, some by a later date."""
    rng = chunk.ctx.rng
    planned = [(p, rng.randint(1, 3)) for p in chunk.plans if p.agreement_id]
    ids = iter(reserve_ids(chunk.cursor, AgreementTerm, sum(n for _, n in planned)))
    for p, n in planned:
        effective = (p.concluded_at + CHINA_OFFSET).date()
        for order in range(1, n + 1):
            later = rng.random() < 0.4
            yield {
                "id": next(ids),
                "agreement_id": p.agreement_id,
                "order": order,
                "content": f"被申请人向申请人支付赔偿款人民币{rng.randint(1, 200) * 500}元。",
                "performance": "分期支付" if later else "当场履行",
                "due_on": effective + timedelta(days=rng.randint(15, 90)) if later else effective,
            }


def visit_rows(chunk: Chunk) -> Iterator[dict]:
    """A follow-up visit (回访) per closed case, due 15 days after closing: mostly made, with the party's
    satisfaction; not yet made for the most recent closings, and overdue for a few."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    closed = [p for p in chunk.plans if p.status == Status.CLOSED and p.closed_at]
    ids = iter(reserve_ids(chunk.cursor, FollowUpVisit, len(closed)))
    for p in closed:
        due = (p.closed_at + CHINA_OFFSET).date() + timedelta(days=15)
        recent = (ctx.now - p.closed_at).days < 20
        made = rng.random() < (0.5 if recent else 0.97)  # the rest: pending (or overdue once due)
        visited = p.closed_at + timedelta(days=rng.uniform(3, 15)) if made else None
        if visited and visited > ctx.now:
            visited = ctx.now - timedelta(minutes=5)
        row = {"id": next(ids), "case_id": p.id, "reason": "after_closing", "due_on": due}
        if visited:
            written = p.outcome == Outcome.WRITTEN_AGREEMENT
            row.update(
                visited_at=visited,
                visitor_id=p.mediator_id,
                method=rng.choice(("phone", "phone", "phone", "in_person", "online")),
                performance=rng.choice(("performed",) * 8 + ("performing", "broken")) if written else "na",
                satisfaction=weighted(rng, SATISFACTION_MIX),
                notes="当事人表示协议已履行，对调解工作满意。" if written else "电话回访当事人，情况稳定。",
            )
        row["created_at"] = p.closed_at
        yield row


def clock_rows(chunk: Chunk) -> Iterator[dict]:
    """The 'handling' clock (调解期限) of accepted cases: running with its due time for open cases, stopped
    at conclusion for cases concluded in the last year (the dashboard's on-time rate reads those)."""
    ctx = chunk.ctx
    policy = ctx.handling_clock
    year_ago = ctx.now - timedelta(days=365)
    chosen = [
        p
        for p in chunk.plans
        if p.status not in (Status.SUBMITTED, Status.NOT_ACCEPTED)
        and (p.status in OPEN or (p.concluded_at and p.concluded_at >= year_ago))
    ]
    ids = iter(reserve_ids(chunk.cursor, CaseClock, len(chosen)))
    for p in chosen:
        started = p.created_at
        due = p.due_at or started + timedelta(days=30)
        stopped = (
            p.concluded_at
            if p.status not in (Status.REGISTERED, Status.ROUTED, Status.IN_MEDIATION)
            else None
        )
        yield {
            "id": next(ids),
            "case_id": p.id,
            "policy_clock_id": policy.id if policy else None,
            "code": "handling",
            "name": "调解期限",
            "unit": "calendar_days",
            "length": max(1, (due - started).days),
            "stop_trigger": "concluded",
            "pausable": True,
            "max_extensions": 1,
            "max_extension_length": 30,
            "citizen_facing": True,
            "started_at": started,
            "due_at": due,
            "provisional": False,
            "stopped_at": stopped,
            "stop_reason": "concluded" if stopped else "",
        }


def warning_change_rows(chunk: Chunk) -> Iterator[dict]:
    """The change that put an open case at its current warning level (the dashboard's 'newly escalated')."""
    rng = chunk.ctx.rng
    raised = [p for p in chunk.plans if p.status in OPEN and p.warning_level]
    ids = iter(reserve_ids(chunk.cursor, WarningChange, len(raised)))
    for p in raised:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "seq": 1,
            "from_level": 0,
            "to_level": p.warning_level,
            "basis": rng.choice(("time", "time", "risk")),
            "reason": "办理期限临近" if p.warning_level <= 2 else "超过办理期限或存在重大风险",
            "actor_id": None,
            "response_due_at": None,
            "created_at": p.created_at + timedelta(hours=2),
        }


# --- Participants, signatures, conclusions, ratings, summonses, supervision (and their events) ---------


def local_day(moment: datetime) -> date:
    return (moment + CHINA_OFFSET).date()


def supervisor_of(ctx: Context, center: Center) -> int | None:
    """A supervisor of the center, or of the nearest center above it that has one (villages have none)."""
    while center is not None:
        staff = ctx.staff.get(center.id)
        if staff and staff.supervisors:
            return staff.supervisors[0]
        center = ctx.centers.get(center.parent_id)
    return None


def evaluator_of(ctx: Context, p: CasePlan) -> int | None:
    return supervisor_of(ctx, p.center)


def county_of(ctx: Context, center: Center) -> int:
    return int(center.path.strip("/").split("/")[0])


def session_party_rows(chunk: Chunk) -> Iterator[dict]:
    """Who took part in each session (the ``parties`` M2M): every party of the case; and the session's
    'session_recorded' event, as record_session writes it."""
    for p in chunk.plans:
        for index, (session_id, started_at) in enumerate(p.sessions):
            for party_id, *_ in p.parties_ids:
                yield {"mediationsession_id": session_id, "party_id": party_id}
            chunk.event(
                p,
                "session_recorded",
                min(started_at + timedelta(hours=2), p.concluded_at or chunk.ctx.now),
                p.mediator_id,
                {
                    "session": session_id,
                    "started_at": started_at.isoformat(),
                    "started_mediation": index == 0,
                },
            )


def session_mediator_rows(chunk: Chunk) -> Iterator[dict]:
    """The mediator of each session (the ``mediators`` M2M; record_session puts the recorder there)."""
    for p in chunk.plans:
        if p.mediator_id:
            for session_id, _started_at in p.sessions:
                yield {"mediationsession_id": session_id, "user_id": p.mediator_id}


def signature_rows(chunk: Chunk) -> Iterator[dict]:
    """Every party's signature on the written agreement, shortly before the mediator signed and the seal
    went on (the last of these made it effective that day), with the drafted / signed / effective events."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = [p for p in chunk.plans if p.agreement_id and p.agreement_signed_at and p.parties_ids]
    for p in planned:
        sealed = p.agreement_signed_at
        parties_signed = sealed - timedelta(minutes=rng.randint(5, 50))
        for party_id, *_ in p.parties_ids:
            yield {
                "agreement_id": p.agreement_id,
                "party_id": party_id,
                "signed_at": parties_signed,
                "recorded_by_id": p.mediator_id,
            }
        effective = local_day(sealed)
        chunk.event(
            p, "agreement_drafted", sealed - timedelta(hours=1), p.mediator_id, {"agreement": p.agreement_id}
        )
        chunk.event(
            p,
            "agreement_signed",
            parties_signed,
            p.mediator_id,
            {
                "agreement": p.agreement_id,
                "parties": [n for _, n, _ in p.parties_ids],
                "mediator": False,
                "seal": False,
            },
        )
        chunk.event(
            p,
            "agreement_effective",
            sealed,
            p.mediator_id,
            {
                "agreement": p.agreement_id,
                "parties": [],
                "mediator": True,
                "seal": True,
                "effective_on": effective.isoformat(),
                "confirmation_deadline": ctx.calendar.add_calendar_days(effective, 30).isoformat(),
            },
        )


ORAL_CONTENT = (
    "双方同意由被申请人当场向申请人支付补偿款，申请人不再追究。",
    "双方约定各自退让，按原有界线通行，互不妨碍。",
    "被申请人当面赔礼道歉，双方和好。",
)


def oral_agreement_rows(chunk: Chunk) -> Iterator[dict]:
    """The recorded oral agreement of each case concluded with one (conclude_case writes it)."""
    rng = chunk.ctx.rng
    oral = [p for p in chunk.plans if p.outcome == Outcome.ORAL_AGREEMENT and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, OralAgreement, len(oral)))
    for p in oral:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "content": rng.choice(ORAL_CONTENT),
            "agreed_on": local_day(p.concluded_at),
            "recorded_by_id": p.mediator_id,
            "created_at": p.concluded_at,
        }


def termination_notice_rows(chunk: Chunk) -> Iterator[dict]:
    """终止调解通知书 for cases that failed or where a party refused (conclude_case issues one)."""
    rng = chunk.ctx.rng
    ended = [p for p in chunk.plans if p.outcome in NOTICE_OUTCOMES and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, TerminationNotice, len(ended)))
    for p in ended:
        failed = p.outcome == Outcome.FAILED
        yield {
            "id": next(ids),
            "case_id": p.id,
            "outcome": p.outcome,
            "reason": "经多次调解双方分歧较大，未能达成协议。"
            if failed
            else "一方当事人明确表示不接受调解。",
            "routes": rng.choice(
                (["court"], ["court"], ["arbitration", "court"], ["administrative", "court"])
            ),
            "issued_on": local_day(p.concluded_at),
            "issued_by_id": p.mediator_id,
            "created_at": p.concluded_at,
        }


def evaluation_rows(chunk: Chunk) -> Iterator[dict]:
    """The evaluation (评估) of every evaluated or closed case, at the time of its 'evaluated' event."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    rated = [p for p in chunk.plans if p.status in (Status.EVALUATED, Status.CLOSED) and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, Evaluation, len(rated)))
    for p in rated:
        correct = rng.random() < 0.97
        complete = rng.random() < 0.93
        on_time = (p.concluded_at - p.created_at).days <= 30 or rng.random() < 0.5
        yield {
            "id": next(ids),
            "case_id": p.id,
            "evaluator_id": evaluator_of(ctx, p),
            "outcome_correct": correct,
            "documents_complete": complete,
            "on_time": on_time,
            "comment": "处理结果正确，文书材料齐全。" if correct and complete else "文书材料需补充完善。",
            "created_at": p.concluded_at + ((p.closed_at or ctx.now) - p.concluded_at) / 2,
        }


RATING_COMMENTS = {
    5: "调解员很耐心，问题解决了。",
    4: "总体满意。",
    3: "",
    2: "办理时间太长。",
    1: "对调解结果不满意。",
}


def citizen_rows(chunk: Chunk) -> Iterator[dict]:
    """好差评 come from citizens signed in on the portal: about a third of closed cases are rated by the
    applicant, some by the respondent too (one rating per party). Each rating party gets its citizen
    account (as sign-in by phone makes one: kind citizen, the party's phone, no usable password)."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status != Status.CLOSED or not p.closed_at:
            continue
        for index, (party_id, _name, phone) in enumerate(p.parties_ids):
            if phone and rng.random() < (0.35 if index == 0 else 0.12):
                moment = min(
                    p.closed_at + timedelta(hours=rng.uniform(1, 360)), ctx.now - timedelta(minutes=1)
                )
                planned.append((p, party_id, phone, moment, weighted(rng, SATISFACTION_MIX)))
    ids = iter(reserve_ids(chunk.cursor, User, len(planned)))
    for p, party_id, phone, moment, score in planned:
        user_id = next(ids)
        p.ratings.append((party_id, user_id, moment, score))
        yield {
            "id": user_id,
            "username": f"citizen-p{party_id}",
            "password": "!bench",  # unusable: citizens sign in with a texted code
            "kind": User.Kind.CITIZEN,
            "phone": phone,
            "display_name": f"群众 {phone[-4:]}",
            "date_joined": moment - timedelta(minutes=10),
            "last_login": moment - timedelta(minutes=5),
        }


def rating_rows(chunk: Chunk) -> Iterator[dict]:
    """The ratings drawn by ``citizen_rows``; bad ones (不满意 or worse) are flagged as rate_case does,
    and most flagged ones older than a week were followed up by a supervisor."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = [(p, *r) for p in chunk.plans for r in p.ratings]
    ids = iter(reserve_ids(chunk.cursor, Rating, len(planned)))
    for p, party_id, user_id, moment, score in planned:
        flagged = score <= BAD_RATING_MAX
        row = {
            "id": next(ids),
            "case_id": p.id,
            "party_id": party_id,
            "citizen_id": user_id,
            "score": score,
            "comment": RATING_COMMENTS[score],
            "created_at": moment,
            "flagged": flagged,
        }
        if flagged and ctx.now - moment > timedelta(days=7) and rng.random() < 0.8:
            row.update(
                followed_up_at=moment + timedelta(days=rng.uniform(1, 7)),
                followed_up_by_id=supervisor_of(ctx, p.center),
                follow_up_note="已电话联系当事人，解释处理依据，当事人表示理解。",
            )
        label = str(Rating.Score(score).label)
        chunk.event(p, "portal_rated", moment, user_id, {"score": score, "label": label, "flagged": flagged})
        yield row


SUMMONS_NOTES = ("请派员参加调解，提供政策依据。", "请协助核实相关事实。", "请到场说明处理意见。")


def summons_rows(chunk: Chunk) -> Iterator[dict]:
    """中心吹哨、部门报到: 6% of routed cases summon one or two departments of their county with a 48-hour
    deadline; those of ended cases were answered (mostly done, some declined), those of open cases are
    pending (overdue once past the deadline), accepted, done or declined. Events as routing's services."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if not p.routed_at or p.status == Status.NOT_ACCEPTED or rng.random() >= 0.06:
            continue
        departments = ctx.departments.get(county_of(ctx, p.center))
        if not departments:
            continue
        end = min(p.concluded_at or ctx.now, ctx.now - timedelta(hours=1))
        if end <= p.routed_at:
            continue
        summoned = p.routed_at + (end - p.routed_at) * rng.uniform(0.05, 0.6)
        chosen = rng.sample(departments, k=min(len(departments), rng.choice((1, 1, 1, 2))))
        planned.append((p, summoned, end, chosen))
    ids = iter(reserve_ids(chunk.cursor, Summons, sum(len(c) for *_, c in planned)))
    for p, summoned, end, chosen in planned:
        deadline = summoned + timedelta(hours=48)
        note = rng.choice(SUMMONS_NOTES)
        chunk.event(
            p,
            "summoned",
            summoned,
            p.mediator_id,
            {"departments": [name for _, name in chosen], "deadline": deadline.isoformat(), "reason": note},
        )
        ended = p.status not in OPEN
        for department_id, name in chosen:
            summons_id = next(ids)
            liaison = ctx.liaisons.get(department_id)
            state = weighted(
                rng,
                [("done", 80), ("declined", 15), ("accepted", 5)]
                if ended
                else [("pending", 25), ("accepted", 30), ("done", 35), ("declined", 10)],
            )
            # A few answer late (after the 48 hours); all before the case ended.
            responded = min(
                summoned + timedelta(hours=rng.triangular(0.5, 72, 8)), summoned + (end - summoned) / 2
            )
            row = {
                "id": summons_id,
                "case_id": p.id,
                "department_id": department_id,
                "state": state,
                "note": note,
                "deadline": deadline,
                "summoned_by_id": p.mediator_id,
                "summoned_at": summoned,
            }
            data = {"department": name, "summons_id": summons_id}
            if state != "pending":
                row.update(responded_by_id=liaison, responded_at=responded)
            if state == "declined":
                row["decline_reason"] = "该事项不属于本部门职责范围。"
                chunk.event(
                    p, "summons_declined", responded, liaison, {**data, "reason": row["decline_reason"]}
                )
            elif state in ("accepted", "done"):
                chunk.event(p, "summons_accepted", responded, liaison, data)
            if state == "done":
                acted = min(
                    responded + timedelta(hours=rng.uniform(2, 96)), responded + (end - responded) * 0.9
                )
                action = "已派员参加调解，并就相关政策作出解释。"
                row.update(action_taken=action, action_at=acted)
                chunk.event(p, "summons_action", acted, liaison, {**data, "reason": action})
            yield row


SUPERVISED_SHARE = {3: 0.3, 4: 0.6}  # open orange / red cases with a supervision order


def supervision_rows(chunk: Chunk) -> Iterator[dict]:
    """督办单 on open red and orange cases (60% / 30%), to the lead mediator or else the channel, consistent
    with the level the sweep computes: on an orange case an order is never overdue (that would make it red);
    on a red one it may be. Issued, acknowledged or reported back, with warnings' events."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status not in OPEN or p.warning_level < 3 or not (p.mediator_id or p.channel_id):
            continue
        if rng.random() >= SUPERVISED_SHARE[p.warning_level]:
            continue
        issued = p.created_at + (ctx.now - p.created_at) * rng.uniform(0.2, 0.8)
        planned.append((p, issued))
    ids = iter(reserve_ids(chunk.cursor, SupervisionOrder, len(planned)))
    for p, issued in planned:
        order_id = next(ids)
        if p.warning_level == 4:
            deadline = issued + timedelta(days=rng.uniform(1, 7))
        else:
            deadline = ctx.now + timedelta(days=rng.uniform(0.5, 5))
        state = weighted(rng, [("issued", 30), ("acknowledged", 40), ("reported", 30)])
        answerer = p.mediator_id
        if answerer is None:
            staff = ctx.staff.get(p.center.id) or ctx.staff.get(p.center.parent_id) or Staff()
            pool = staff.mediators.get(p.channel_id) or staff.mediators.get(0) or [None]
            answerer = pool[0]
        issuer = supervisor_of(ctx, p.center)
        row = {
            "id": order_id,
            "case_id": p.id,
            "issued_by_id": issuer,
            "recipient_id": p.mediator_id,
            "channel_id": None if p.mediator_id else p.channel_id,
            "instructions": "请于期限内联系双方当事人，落实稳控措施并反馈化解进展。",
            "deadline": deadline,
            "state": state,
            "created_at": issued,
        }
        if p.mediator_id:
            recipient = ctx.names.get(p.mediator_id, "")
        else:
            recipient = next((str(c) for c in ctx.channels if c.pk == p.channel_id), "")
        chunk.event(
            p,
            "supervision_issued",
            issued,
            issuer,
            {"order": order_id, "recipient": recipient, "deadline": deadline.isoformat()},
        )
        if state != "issued":
            acknowledged = issued + (min(deadline, ctx.now) - issued) * rng.uniform(0.05, 0.4)
            row.update(acknowledged_at=acknowledged, acknowledged_by_id=answerer)
            chunk.event(p, "supervision_acknowledged", acknowledged, answerer, {"order": order_id})
            if state == "reported":
                reported = acknowledged + (min(deadline, ctx.now) - acknowledged) * rng.uniform(0.2, 0.95)
                report = "已约谈双方当事人，落实稳控措施，化解工作正在推进。"
                row.update(report=report, reported_at=reported, reported_by_id=answerer)
                chunk.event(
                    p,
                    "supervision_reported",
                    reported,
                    answerer,
                    {"order": order_id, "on_time": reported <= deadline},
                )
        yield row


CONFERENCE_SHARE = {3: 0.15, 4: 0.4}  # open orange / red cases with a joint conference (会商研判)


def conference_rows(chunk: Chunk) -> Iterator[dict]:
    """会商研判 on some open red and orange cases: the supervisor with the departments concerned."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    chosen = [
        p
        for p in chunk.plans
        if p.status in OPEN and p.warning_level >= 3 and rng.random() < CONFERENCE_SHARE[p.warning_level]
    ]
    ids = iter(reserve_ids(chunk.cursor, CaseConference, len(chosen)))
    for p in chosen:
        conference_id = next(ids)
        held = p.created_at + (ctx.now - p.created_at) * rng.uniform(0.3, 0.9)
        recorder = supervisor_of(ctx, p.center)
        names = [name for _, name in ctx.departments.get(county_of(ctx, p.center), [])[:3]]
        chunk.event(
            p, "conference_recorded", held + timedelta(hours=1), recorder, {"conference": conference_id}
        )
        yield {
            "id": conference_id,
            "case_id": p.id,
            "held_at": held,
            "participants": "、".join(["中心分管领导", "主办调解员", *names]),
            "decisions": "明确由主办调解员牵头，相关部门三日内提供政策意见，同步落实稳控措施。",
            "recorded_by_id": recorder,
            "created_at": held + timedelta(hours=1),
        }


def pending_event_rows(chunk: Chunk) -> Iterator[dict]:
    """The timeline events the tables above queued in this chunk (written after them, in one COPY)."""
    events, chunk.events[:] = list(chunk.events), []
    yield from timeline_rows(chunk, events)


# The per-table generators, in insertion order (a table's foreign keys point to earlier ones).
# A table added by a new area is one more generator function and one more line in EXTRA_TABLES.
TABLES: list[Table] = []


VIA_SESSION = (
    "SELECT DISTINCT s.case_id FROM {table} x JOIN cases_mediationsession s ON s.id = x.mediationsession_id "
    "WHERE s.case_id = ANY(%s)"
)
VIA_AGREEMENT = (
    "SELECT DISTINCT a.case_id FROM {table} x JOIN cases_agreement a ON a.id = x.agreement_id "
    "WHERE a.case_id = ANY(%s)"
)


def extra_tables() -> list[Table]:
    """The tables filled from a case's plan alone; ``--only-extra`` fills them for cases already there.
    The last one writes the timeline events the others queued (``Chunk.event``)."""
    return [
        Table(CaseAssignment, assignment_rows),
        Table(MediationSession, session_rows),
        Table(MediationSession.parties.through, session_party_rows, auto_id=True, has_rows=VIA_SESSION),
        Table(MediationSession.mediators.through, session_mediator_rows, auto_id=True, has_rows=VIA_SESSION),
        Table(Agreement, agreement_rows),
        Table(AgreementTerm, term_rows, has_rows=VIA_AGREEMENT),
        Table(AgreementSignature, signature_rows, auto_id=True, has_rows=VIA_AGREEMENT),
        Table(OralAgreement, oral_agreement_rows),
        Table(TerminationNotice, termination_notice_rows),
        Table(Evaluation, evaluation_rows),
        Table(FollowUpVisit, visit_rows),
        Table(CaseClock, clock_rows),
        Table(WarningChange, warning_change_rows),
        Table(
            User, citizen_rows, has_rows="SELECT DISTINCT case_id FROM cases_rating WHERE case_id = ANY(%s)"
        ),
        Table(Rating, rating_rows),
        Table(Summons, summons_rows),
        Table(SupervisionOrder, supervision_rows),
        Table(CaseConference, conference_rows),
        Table(TimelineEvent, pending_event_rows, has_rows=None),
    ]


def tables() -> list[Table]:
    if not TABLES:
        TABLES.extend(
            [
                Table(Case, case_rows),
                Table(Party, party_rows),
                Table(TimelineEvent, event_rows),
                *extra_tables(),
            ]
        )
    return TABLES


def save_sequences(cursor, ctx: Context) -> None:
    """Store the chunk's last serials (same transaction) so that register_case continues after them."""
    buffer = io.StringIO()
    for center_id, year in ctx.touched:
        buffer.write(f"{center_id}\t{year}\t{ctx.serials[(center_id, year)]}\n")
    ctx.touched.clear()
    buffer.seek(0)
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS gen_seq (center_id bigint, year int, last_serial int)")
    cursor.execute("DELETE FROM gen_seq")
    cursor.copy_expert("COPY gen_seq FROM STDIN", buffer)
    table = CaseNumberSequence._meta.db_table
    cursor.execute(
        f"INSERT INTO {table} (center_id, year, last_serial) SELECT center_id, year, last_serial FROM gen_seq "
        f"ON CONFLICT (center_id, year) DO UPDATE SET last_serial = GREATEST({table}.last_serial, EXCLUDED.last_serial)"
    )


def row_counts(tables: list[Table]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in tables:
        counts[t.name] = counts.get(t.name, 0) + t.count
    return counts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(
    n: int,
    *,
    counties: int = 90,
    towns: int = 13,
    villages: int = 16,
    chunk_size: int = 10_000,
    seed: int = 2026,
    years: int = 4,
    long_timeline_share: float = LONG_TIMELINE_SHARE,
    log: Callable[[str], None] = print,
) -> dict:
    """Add ``n`` cases (and the tree and staff if the database has no generated tree yet); returns a report."""
    if connection.vendor != "postgresql":
        raise CommandError("generate_data needs PostgreSQL (it streams rows with COPY)")
    started = time.monotonic()
    rng = random.Random(seed)
    if not Center.objects.filter(area_code__startswith=PROVINCE_CODE, level=Center.Level.COUNTY).exists():
        with transaction.atomic():
            centers = build_tree(counties, towns, villages, rng)
            build_staff(centers, list(Channel.objects.all()), rng)
        log(f"centers: {len(centers)}, users: {User.objects.count()}")
    ensure_departments(rng)
    # A different stream of random numbers for each run, so a second run adds different cases.
    ctx = load_context(seed + Case.objects.count(), years)
    ctx.long_timeline_share = long_timeline_share
    if not ctx.by_level[Center.Level.VILLAGE]:
        ctx.by_level[Center.Level.VILLAGE] = (
            ctx.by_level[Center.Level.TOWN] or ctx.by_level[Center.Level.COUNTY]
        )
    if not ctx.by_level[Center.Level.TOWN]:
        ctx.by_level[Center.Level.TOWN] = ctx.by_level[Center.Level.COUNTY]
    all_tables = tables()
    for table in all_tables:
        table.count = 0
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        # Tables complete for every case there now stay complete (their progress follows the new cases);
        # the others are filled by --only-extra later, which then also skips the cases written here.
        progress = read_progress(cursor)
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        before = cursor.fetchone()[0]
        complete = [t.name for t in all_tables if t.has_rows and progress.get(t.name, 0) >= before]
        while done < n:
            size = min(chunk_size, n - done)
            with transaction.atomic():
                chunk = Chunk(ctx, plan_cases(ctx, reserve_ids(cursor, Case, size)), cursor)
                for table in all_tables:
                    table.copy(cursor, chunk)
                save_sequences(cursor, ctx)
                save_progress(cursor, complete, chunk.plans[-1].id)
            done += size
            if done % (chunk_size * 10) == 0 or done == n:
                elapsed = time.monotonic() - started
                log(
                    f"{done:>9,} cases {elapsed:7.1f} s {done / elapsed:6.0f} cases/s, peak RSS {peak_rss_mb():.0f} MB"
                )
        vacuum(cursor, [t.name for t in all_tables] + ["accounts_center"])
    return run_summary(n, all_tables, started)


EXTRA_COLUMNS = (
    "id, origin_center_id, center_id, status, source, dispute_type_id, created_at, warning_level, channel_id, "
    "registered_by_id, closed_at, concluded_at, routed_at, outcome, due_at"
)


def load_plans(
    ctx: Context, rows: list[tuple], mediators: dict[int, int], types: dict[int, DisputeType]
) -> list[CasePlan]:
    """Plans for cases already in the database; outcomes are drawn for ended cases that have none of
    lifecycle's (the first generator wrote 'resolved'/'terminated')."""
    rng = ctx.rng
    outcomes = set(Outcome.values)
    plans = []
    for (cid, origin, center, status, source, dtype, created, level, channel, clerk, closed, concluded,
         routed, outcome, due) in rows:  # fmt: skip
        mediator = mediators.get(cid)
        if mediator is None and status in WORKED:
            staff = ctx.staff.get(center) or ctx.staff.get(ctx.centers[center].parent_id) or Staff()
            pool = staff.mediators.get(channel) or staff.mediators.get(0) or []
            mediator = rng.choice(pool) if pool else None
        plans.append(
            CasePlan(
                id=cid,
                origin=ctx.centers[origin],
                center=ctx.centers[center],
                status=status,
                source=source,
                dispute_type=types[dtype],
                created_at=created,
                warning_level=level,
                channel_id=channel,
                mediator_id=mediator,
                clerk_id=clerk,
                closed_at=closed,
                concluded_at=concluded,
                routed_at=routed,
                n_extra_events=0,
                outcome=outcome if outcome in outcomes else pick_outcome(rng, status),
                due_at=due,
            )
        )
    return plans


PROGRESS_TABLE = "generate_data_progress"


def read_progress(cursor) -> dict[str, int]:
    """Per table, the case id up to which ``generate_data`` has filled it (its own bookkeeping table: no
    model, so it needs no migration; ``bench`` databases only)."""
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} (table_name text PRIMARY KEY, through_case bigint NOT NULL)"
    )
    cursor.execute(f"SELECT table_name, through_case FROM {PROGRESS_TABLE}")
    return dict(cursor.fetchall())


def save_progress(cursor, names: list[str], through_case: int) -> None:
    if names:
        cursor.execute(
            f"INSERT INTO {PROGRESS_TABLE} SELECT unnest(%s::text[]), %s ON CONFLICT (table_name) "
            f"DO UPDATE SET through_case = GREATEST({PROGRESS_TABLE}.through_case, EXCLUDED.through_case)",
            [names, through_case],
        )


def load_existing(cursor, plans: list[CasePlan]) -> None:
    """What the child tables of a chunk need from rows already there: parties, sessions, agreements."""
    by_id = {p.id: p for p in plans}
    ids = list(by_id)
    cursor.execute(
        "SELECT case_id, id, name, phone FROM cases_party WHERE case_id = ANY(%s) "
        "ORDER BY case_id, role <> 'applicant', id",
        [ids],
    )
    for case_id, party_id, name, phone in cursor.fetchall():
        by_id[case_id].parties_ids.append((party_id, name, phone))
    cursor.execute(
        "SELECT case_id, id, started_at FROM cases_mediationsession WHERE case_id = ANY(%s) "
        "ORDER BY case_id, started_at, id",
        [ids],
    )
    for case_id, session_id, started_at in cursor.fetchall():
        by_id[case_id].sessions.append((session_id, started_at))
    cursor.execute(
        "SELECT case_id, id, coalesce(sealed_at, mediator_signed_at) FROM cases_agreement "
        "WHERE case_id = ANY(%s) AND NOT voided AND effective_on IS NOT NULL ORDER BY case_id, id",
        [ids],
    )
    for case_id, agreement_id, signed_at in cursor.fetchall():
        by_id[case_id].agreement_id, by_id[case_id].agreement_signed_at = agreement_id, signed_at


def generate_extra(*, chunk_size: int = 10_000, seed: int = 2026, log: Callable[[str], None] = print) -> dict:
    """Fill the tables of ``extra_tables()`` for the cases already in the database, streaming over case ids
    in chunks (COPY, one transaction per chunk), and give ended cases an outcome of lifecycle's.

    Resumable and idempotent per table: a table is filled only for the cases after its recorded progress
    (``generate_data_progress``, saved with each chunk) and, among those, only for the cases that have
    no row in it yet; rows of tables already there (sessions, agreements) are read back for the tables
    that hang on them (participants, signatures). A second run finds nothing to do."""
    if connection.vendor != "postgresql":
        raise CommandError("generate_data needs PostgreSQL (it streams rows with COPY)")
    started = time.monotonic()
    ensure_departments(random.Random(seed))
    ctx = load_context(seed, 4)
    extra = extra_tables()
    tracked = [t for t in extra if t.has_rows]
    types = {t.id: t for t in DisputeType.objects.all()}
    with connection.cursor() as cursor:
        progress = read_progress(cursor)
        last = min(progress.get(t.name, 0) for t in tracked)
        # Only the cases there now: cases registered meanwhile get their rows from the real services.
        cursor.execute("SELECT count(*), max(id) FROM cases_case WHERE id > %s", [last])
        total, end = cursor.fetchone()
        log(f"extra tables for {total:,} cases after case id {last}")
        cursor.execute("SET synchronous_commit TO off")
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gen_outcome (id bigint, outcome varchar(24), summary text)"
        )
        done = 0
        while True:
            with transaction.atomic():
                cursor.execute(
                    f"SELECT {EXTRA_COLUMNS} FROM cases_case WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                    [last, end or 0, chunk_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                ids = [r[0] for r in rows]
                last = ids[-1]
                cursor.execute(
                    "SELECT case_id, (data->>'to')::bigint FROM cases_timelineevent "
                    "WHERE case_id = ANY(%s) AND type = 'assigned' AND data->>'to' IS NOT NULL",
                    [ids],
                )
                mediators = dict(cursor.fetchall())
                chunk = Chunk(ctx, load_plans(ctx, rows, mediators, types), cursor)
                changed = {r[0]: r[13] for r in rows}
                buffer = io.StringIO()
                for p in chunk.plans:
                    if p.outcome != changed[p.id]:
                        summary = CLOSING_SUMMARY.get(p.outcome, "") if p.status == Status.CLOSED else ""
                        buffer.write(f"{p.id}\t{p.outcome}\t{encode(summary)}\n")
                if buffer.tell():
                    buffer.seek(0)
                    cursor.execute("TRUNCATE gen_outcome")
                    cursor.copy_expert("COPY gen_outcome FROM STDIN", buffer)
                    cursor.execute(
                        "UPDATE cases_case c SET outcome = g.outcome, closing_summary = g.summary "
                        "FROM gen_outcome g WHERE c.id = g.id"
                    )
                load_existing(cursor, chunk.plans)
                for table in extra:
                    if table.has_rows is None:
                        table.copy(cursor, chunk)
                        continue
                    through = progress.get(table.name, 0)
                    todo = [p for p in chunk.plans if p.id > through]
                    if not todo:
                        continue
                    cursor.execute(table.has_rows, [[p.id for p in todo]])
                    there = {r[0] for r in cursor.fetchall()}
                    table.copy(cursor, chunk.view([p for p in todo if p.id not in there]))
                save_progress(cursor, [t.name for t in tracked], last)
            done += len(rows)
            if done % (chunk_size * 10) == 0:
                elapsed = time.monotonic() - started
                log(
                    f"{done:>9,} cases {elapsed:7.1f} s {done / elapsed:6.0f} cases/s, peak RSS {peak_rss_mb():.0f} MB"
                )
        if done:
            vacuum(cursor, ["cases_case", *[t.name for t in extra if t.count]])
    return run_summary(done, extra, started)


def vacuum(cursor, tables: list[str]) -> None:
    """VACUUM also sets the visibility map, without which index-only scans read the heap anyway;
    it cannot run inside a transaction (the tests), where ANALYZE does."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    for name in dict.fromkeys(tables):
        cursor.execute(f"{command} {name}")


def run_summary(cases: int, tables, started: float) -> dict:
    return {
        "cases": cases,
        "rows": row_counts(tables),
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "finished_at": timezone.now().isoformat(timespec="seconds"),
    }


class Command(BaseCommand):
    help = "Fill the database with N generated cases (PostgreSQL, COPY) for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--counties", type=int, default=90)
        parser.add_argument("--towns", type=int, default=13, help="towns per county")
        parser.add_argument("--villages", type=int, default=16, help="villages per town")
        parser.add_argument("--chunk", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--only-extra",
            action="store_true",
            help="no new cases: fill the tables of extra_tables() (sessions and participants, agreements and "
            "signatures, visits, evaluations, ratings, summonses, supervision...) for the cases there; "
            "resumable and idempotent per table",
        )

    def handle(self, *args, **options):
        if options["only_extra"]:
            report = generate_extra(chunk_size=options["chunk"], seed=options["seed"], log=self.log)
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        report = generate(
            options["cases"],
            counties=options["counties"],
            towns=options["towns"],
            villages=options["villages"],
            chunk_size=options["chunk"],
            seed=options["seed"],
            log=self.log,
        )
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()  # progress shows up in a log file while it runs
