"""Reference data every installation needs; run after each migrate, idempotent."""

from decimal import Decimal

from django.db import transaction

CHANNELS = [
    ("court", "诉调", "Court-linked mediation", "诉前调解、司法确认"),
    ("police", "警调", "Police-linked mediation", "派出所、交警；可能民转刑的纠纷移交"),
    ("online", "网调", "Online mediation", "在线申请、远程调解与咨询"),
    ("specialist", "专调", "Specialist committees", "劳动、医疗、交通、物业、消费、土地等行业性专业性调委会"),
    ("petition", "访调", "Petition mediation", "依《信访工作条例》开展的信访调解"),
]

# Rules following DOMAIN.md's typical handlers. Keyed by code so that a re-run never
# duplicates or overwrites what an administrator changed.
RULES = [
    {
        "code": "court-referral",
        "position": 10,
        "name": "法院委派案件",
        "sources": ["court_referral"],
        "channel": "court",
        "reason": "法院委派的诉前调解案件由诉调渠道办理",
    },
    {
        "code": "petition-system",
        "position": 20,
        "name": "信访系统转入",
        "sources": ["petition_system"],
        "channel": "petition",
        "department_codes": ["petition"],
        "reason": "信访系统转入的事项依《信访工作条例》由访调渠道办理",
    },
    {
        "code": "online-application",
        "position": 30,
        "name": "网上申请",
        "sources": ["online"],
        "channel": "online",
        "reason": "网上申请的案件由网调渠道在线调解",
    },
    {
        "code": "labour-high-risk",
        "position": 40,
        "name": "高风险劳动争议",
        "types": ["labour"],
        "risk": "risk",
        "channel": "specialist",
        "target_level": "county",
        "department_codes": ["hrss"],
        "priority": 3,
        "reason": "劳动争议有风险标记，提级至县级中心，由劳动争议调委会调解并通知人社部门",
    },
    {
        "code": "labour-group",
        "position": 50,
        "name": "群体性劳动争议（欠薪）",
        "types": ["labour"],
        "min_people": 10,
        "channel": "specialist",
        "target_level": "county",
        "department_codes": ["hrss"],
        "priority": 2,
        "reason": "涉及人数多的劳动争议提级至县级中心，人社部门协办",
    },
    {
        "code": "labour",
        "position": 60,
        "name": "劳动争议",
        "types": ["labour"],
        "channel": "specialist",
        "department_codes": ["hrss"],
        "reason": "劳动争议由企业/乡镇劳动争议调委会调解，人社部门协办",
    },
    {
        "code": "medical",
        "position": 70,
        "name": "医疗纠纷",
        "types": ["medical"],
        "channel": "specialist",
        "target_level": "county",
        "department_codes": ["health"],
        "reason": "医疗纠纷由医疗纠纷人民调解委员会（医调委）调解",
    },
    {
        "code": "traffic",
        "position": 80,
        "name": "道路交通事故",
        "types": ["traffic"],
        "channel": "police",
        "department_codes": ["police"],
        "reason": "道路交通事故纠纷由交警/交调委调解",
    },
    {
        "code": "high-risk",
        "position": 90,
        "name": "有民转刑或极端行为风险",
        "risk": "risk",
        "channel": "police",
        "target_level": "county",
        "department_codes": ["police"],
        "priority": 3,
        "reason": "有风险标记的纠纷提级至县级中心，警调衔接，防止民转刑",
    },
    {
        "code": "many-people",
        "position": 100,
        "name": "群体性纠纷",
        "min_people": 10,
        "channel": "petition",
        "target_level": "county",
        "priority": 2,
        "reason": "涉及人数多的纠纷提级至县级中心统筹化解",
    },
    {
        "code": "large-amount",
        "position": 110,
        "name": "涉及金额巨大",
        "min_amount": Decimal("1000000"),
        "channel": "specialist",
        "target_level": "county",
        "priority": 1,
        "reason": "涉及金额 100 万元以上的纠纷提级至县级中心",
    },
    {
        "code": "family-neighbour-village",
        "position": 120,
        "name": "村（社区）婚姻家庭、邻里纠纷",
        "types": ["family", "neighbour"],
        "center_levels": [3],
        "channel": "specialist",
        "reason": "小事不出村：由村（社区）人民调解委员会就地调解",
    },
    {
        "code": "family-neighbour",
        "position": 130,
        "name": "婚姻家庭、邻里纠纷",
        "types": ["family", "neighbour"],
        "channel": "police",
        "reason": "婚姻家庭、邻里纠纷由派出所参与调解",
    },
    {
        "code": "property",
        "position": 140,
        "name": "物业纠纷",
        "types": ["property", "housing"],
        "channel": "specialist",
        "department_codes": ["housing"],
        "reason": "物业、房屋纠纷由物业纠纷调委会调解，住建部门协办",
    },
    {
        "code": "consumer",
        "position": 150,
        "name": "消费纠纷",
        "types": ["consumer"],
        "channel": "specialist",
        "department_codes": ["market"],
        "reason": "消费纠纷由市场监管部门（12315）协办调解",
    },
    {
        "code": "land",
        "position": 160,
        "name": "土地承包、山林土地纠纷",
        "types": ["land_contracting", "forest_land"],
        "channel": "specialist",
        "reason": "土地承包纠纷由村/镇调委会调解，必要时申请农村土地承包仲裁",
    },
]

DEFAULT_RULE = {
    "code": "default",
    "position": 10000,
    "name": "默认规则",
    "is_default": True,
    "channel": "specialist",
    "reason": "由受理中心的专业调解组织调解",
}


def seed_channels() -> None:
    from .models import Channel

    for index, (code, name, name_en, description) in enumerate(CHANNELS):
        Channel.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "description": description, "ordering": index},
        )


def seed_rules() -> None:
    from cases.core.models import DisputeType
    from cases.core.seed import seed_dispute_types

    from .models import Channel, RoutingRule

    seed_dispute_types()  # rules refer to them; the cases app may migrate after this one
    channels = {c.code: c for c in Channel.objects.all()}
    for spec in RULES:
        spec = dict(spec)
        types = spec.pop("types", [])
        spec["channel"] = channels[spec["channel"]]
        rule, created = RoutingRule.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        if created and types:
            rule.dispute_types.set(DisputeType.objects.filter(code__in=types))
    if not RoutingRule.objects.filter(is_default=True).exists():
        spec = dict(DEFAULT_RULE)
        spec["channel"] = channels[spec["channel"]]
        RoutingRule.objects.create(**spec)


def seed_reference_data(sender=None, **kwargs) -> None:
    with transaction.atomic():
        seed_channels()
        seed_rules()
