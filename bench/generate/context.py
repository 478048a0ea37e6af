"""The generator's mixes and word lists, and the objects every table reads: the context, a case's plan, a chunk."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accounts.models import Center
from cases.core import timeline
from cases.core.models import DisputeType, Status
from cases.core.states import ENDED_STATUSES, OPEN_STATUSES
from cases.core.workcalendar import WorkCalendar
from cases.lifecycle.models import Outcome
from cases.warnings.models import PolicyClock
from routing.models import Channel

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
# Cases per transaction. Not 10,000: each timeline row's seal trigger (records/integrity.py) takes a
# transaction-scoped advisory lock per case, and PostgreSQL's shared lock table holds only
# max_locks_per_transaction × max_connections (64 × 100 by default) for the whole server; 10,000 cases in one
# transaction failed with "out of shared memory" (2026-12-01). 1,000 leaves room for the other sessions.
CHUNK = 1_000
LONG_TIMELINE_SHARE = 0.001  # one case in a thousand carries 150–400 events
# Status groups, as the case model and the lifecycle services define them (values, for set lookups).
OPEN = frozenset(s.value for s in OPEN_STATUSES)  # the case is not closed or refused
ENDED = frozenset(s.value for s in ENDED_STATUSES)  # mediation has ended (concluded, evaluated, closed)
# No status group means "a mediator has taken the case" (assignment, sessions): the ended statuses and
# in mediation, derived from the enum here.
WORKED = ENDED | {Status.IN_MEDIATION.value}
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
# Several ways each kind of dispute is written up at the window, so the search benchmark segments and ranks
# text like a real register's (issue 20), not one sentence per type.
SUMMARIES = {
    "family": (
        "{a}与{b}因离婚后子女抚养费支付问题发生争执，{b}已连续{n}个月未支付抚养费。",
        "{a}反映其子{b}长期不尽赡养义务，老人生活困难，要求每月支付赡养费。",
        "{a}与{b}因彩礼返还问题发生纠纷，双方订婚后{n}个月解除婚约。",
    ),
    "neighbour": (
        "{a}与邻居{b}因房屋滴水、通道占用问题多次发生口角，曾{n}次报警。",
        "{a}反映楼上住户{b}装修噪音扰民，多次沟通未果。",
        "{a}与{b}因排水沟堵塞导致雨水倒灌发生争执，双方互不相让。",
    ),
    "housing": (
        "{a}与{b}因宅基地边界不清发生纠纷，争议面积约{n}平方米。",
        "{a}与{b}因建房越界、影响采光发生矛盾，{a}要求拆除违建部分。",
        "{a}与兄弟{b}因父母遗留房屋分割产生争议，已持续{n}个月。",
    ),
    "contract": (
        "{a}与{b}因买卖合同货款结算发生纠纷，尚欠货款{n}万元。",
        "{a}向{b}出借{n}万元，借款到期后{b}拒不归还。",
        "{a}与{b}因房屋租赁合同提前解约、押金退还发生纠纷。",
    ),
    "business": (
        "{a}与{b}因合伙经营利润分配产生矛盾，涉及金额约{n}万元。",
        "{a}承包{b}的养殖场，因承包费调整发生争议。",
    ),
    "damages": (
        "{a}饲养的犬只咬伤{b}，双方就医疗费等{n}千元赔偿未达成一致。",
        "{b}在{a}经营的超市内滑倒受伤，双方就医疗费、误工费赔偿产生争议。",
    ),
    "forest_land": (
        "{a}与{b}因山林权属界线发生争议，涉及山林约{n}亩。",
        "{a}反映{b}越界砍伐其承包山林的树木约{n}株。",
    ),
    "land_contracting": (
        "{a}与村集体及{b}因土地承包经营权流转费用发生纠纷，涉及{n}亩。",
        "{a}外出务工期间承包地被{b}占用耕种，要求返还土地。",
    ),
    "requisition": (
        "{a}对征地拆迁补偿标准有异议，与{b}协商{n}次未果。",
        "{a}认为房屋拆迁安置补偿面积计算有误，要求{b}重新评估。",
    ),
    "pollution": (
        "{a}反映{b}厂区夜间噪声及废水排放影响生活，已持续{n}个月。",
        "{a}等村民反映{b}养猪场臭味扰民、粪污排入河道。",
    ),
    "labour": (
        "{a}等{n}名工人反映{b}拖欠工资，要求支付欠薪。",
        "{a}等{n}名农民工在{b}承建的工地务工，工程完工后被拖欠工资至今未付。",
        "{a}在{b}工作期间受伤，双方就工伤待遇及经济补偿金发生争议。",
        "{a}被{b}辞退，认为未提前通知且未支付经济补偿，要求赔偿。",
    ),
    "consumer": (
        "{a}在{b}处购买的商品存在质量问题，要求退款{n}千元被拒。",
        "{a}在{b}办理健身卡后门店停业，要求退还剩余费用。",
        "{a}反映{b}销售的二手车隐瞒事故记录，要求退一赔三。",
    ),
    "medical": (
        "{a}家属认为{b}诊疗存在过错，要求赔偿，涉及金额约{n}万元。",
        "{a}在{b}手术后出现并发症，认为医院未尽告知义务。",
    ),
    "traffic": (
        "{a}与{b}发生交通事故，就{n}万元损失赔偿产生争议。",
        "{a}驾驶电动车与{b}驾驶的小轿车相撞受伤，双方就医疗费、误工费、护理费赔偿协商未果。",
    ),
    "property": (
        "{a}等业主与{b}因物业费及公共收益分配发生纠纷，涉及{n}户。",
        "{a}反映{b}小区电梯长期故障、维修不及时，拒交物业费。",
    ),
    "other": (
        "{a}与{b}因琐事发生纠纷，已持续{n}个月。",
        "{a}与{b}因红白喜事占道搭棚发生口角。",
    ),
}


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
    outcome: str = ""  # cases.lifecycle.models.Outcome, for concluded/closed and not-accepted cases
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

    def event(
        self, plan: CasePlan, kind: timeline.EventType, moment: datetime, actor: int | None, data: dict
    ) -> None:
        """Queue one event of a registered type, public as the service that declares it makes it."""
        self.events.append((plan.id, kind.code, moment, actor, kind.public, data))


def weighted(rng: random.Random, mix: list[tuple]) -> list:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]
