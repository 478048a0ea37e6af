"""Demo data of the mediator library (settings.DEMO_BUILDERS): several kinds of mediators, two outside
experts with accounts of their own (password: the demo password), one studio, one 1+1+N team, difficulty
weights, a party's request waiting for an answer and a case given to the studio."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from cases.core.models import Case, DisputeType
from cases.core.states import Status
from routing.models import Channel

from . import services
from .models import Credential, DifficultyWeight, GroupMember, MediationGroup, MediatorProfile

Kind = MediatorProfile.Kind

# username, kind, centers, specialties, channel codes, public, intro, credential (kind, number, days left)
PROFILES = [
    (
        "mediator",
        Kind.FULL_TIME,
        ["county"],
        ["labour", "contract"],
        ["specialist"],
        True,
        "从事人民调解十二年，擅长劳动争议和欠薪纠纷。",
        ("mediator_cert", "RMTJ-2019-0031", 400),
    ),
    (
        "mediator2",
        Kind.LAWYER,
        ["county"],
        ["contract", "damages", "traffic"],
        ["specialist"],
        True,
        "执业律师，县公共法律服务中心驻点。",
        ("bar_licence", "13301201810012345", 20),
    ),
    (
        "police_mediator",
        Kind.POLICE,
        ["county"],
        ["neighbour", "damages"],
        ["police"],
        False,
        "派出所民警，负责警调衔接。",
        ("mediator_cert", "RMTJ-2018-0107", -10),
    ),
    (
        "town_mediator",
        Kind.XIANGXIAN,
        ["town1"],
        ["neighbour", "family", "housing"],
        [],
        True,
        "退休教师，城关镇乡贤理事会成员。",
        None,
    ),
    (
        "village_mediator",
        Kind.WULAO,
        ["village11"],
        ["neighbour", "family", "land_contracting"],
        [],
        True,
        "老党员、老村干部，东村调委会主任。",
        ("mediator_cert", "RMTJ-2016-0222", 700),
    ),
]
EXPERTS = [
    (
        "expert_doctor",
        "何医生",
        Kind.SPECIALIST,
        ["county"],
        ["medical"],
        [],
        True,
        "县人民医院主任医师，医疗纠纷人民调解委员会专家。",
        ("professional", "YS-3301-8823", 900),
    ),
    (
        "expert_lawyer",
        "韩律师",
        Kind.LEGAL_AID,
        ["county", "town1", "village11"],
        ["labour", "land_contracting"],
        [],
        True,
        "法律援助律师，东村“一村一法律顾问”。",
        ("legal_aid", "FY-2024-0456", 25),
    ),
]


def _profile(user, kind, centers, types, channels, public, intro, credential, org, *, outside=False):
    profile, created = MediatorProfile.objects.get_or_create(
        user=user,
        defaults={
            "kind": kind,
            "outside_expert": outside,
            "intro": intro,
            "is_public": public,
            "languages": "普通话、本地方言",
            "available_days": [0, 1, 2, 3, 4],
            "available_hours": "8:30-17:00",
            "on_call": kind in (Kind.POLICE, Kind.SPECIALIST),
        },
    )
    if created:
        profile.centers.set([org["centers"][key] for key in centers])
        profile.specialties.set(DisputeType.objects.filter(code__in=types))
        profile.channels.set(Channel.objects.filter(code__in=channels))
        if credential:
            kind_code, number, days = credential
            Credential.objects.create(
                profile=profile,
                kind=kind_code,
                number=number,
                issued_on=timezone.localdate() - timedelta(days=1000),
                expires_on=timezone.localdate() + timedelta(days=days),
            )
    return profile


def build_demo(org: dict) -> None:
    users = org["users"]
    profiles = {}
    for username, *rest in PROFILES:
        profiles[username] = _profile(users[username], *rest, org)
    for username, display, *rest in EXPERTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display, "kind": User.Kind.STAFF}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        profiles[username] = _profile(user, *rest, org, outside=True)
    county, village = org["centers"]["county"], org["centers"]["village11"]
    studio, created = MediationGroup.objects.get_or_create(
        name="言和调解工作室",
        defaults={
            "kind": MediationGroup.Kind.STUDIO,
            "center": county,
            "intro": "以“言和”为名的品牌调解工作室，专办劳动、合同和医疗纠纷，律师和医生专家坐诊。",
        },
    )
    if created:
        studio.specialties.set(DisputeType.objects.filter(code__in=["labour", "contract", "medical"]))
        for username, role in [("mediator", "leader"), ("mediator2", "lawyer"), ("expert_doctor", "member")]:
            GroupMember.objects.create(group=studio, profile=profiles[username], role=role)
    team, created = MediationGroup.objects.get_or_create(
        name="东村“1+1+N”调解团队",
        defaults={
            "kind": MediationGroup.Kind.TEAM,
            "center": village,
            "intro": "一名驻村律师 + 一名乡贤 + 村里的党员法治带头人，矛盾不出村。",
        },
    )
    if created:
        team.specialties.set(DisputeType.objects.filter(code__in=["neighbour", "family", "land_contracting"]))
        for username, role in [
            ("expert_lawyer", "lawyer"),
            ("town_mediator", "xiangxian"),
            ("village_mediator", "party_leader"),
        ]:
            GroupMember.objects.create(group=team, profile=profiles[username], role=role)
    for code, weight in [("medical", "1.5"), ("requisition", "2.0"), ("forest_land", "1.3")]:
        DifficultyWeight.objects.get_or_create(
            dispute_type=DisputeType.objects.get(code=code), defaults={"weight": Decimal(weight)}
        )
    for level, weight in [(3, "1.2"), (4, "1.5")]:
        DifficultyWeight.objects.get_or_create(risk_level=level, defaults={"weight": Decimal(weight)})
    _demo_request(org, profiles)
    _demo_studio_case(org, studio)


def _demo_request(org, profiles) -> None:
    citizen = org["users"]["citizen"]
    case = (
        Case.objects.filter(status__in=services.REQUEST_STATUSES, mediator_requests__isnull=True)
        .filter(parties__phone=citizen.phone)
        .order_by("pk")
        .first()
    )
    if case is not None:
        services.request_mediator(
            case, actor=citizen, profile=profiles["mediator"], reason="听说李调解员处理欠薪纠纷很有经验。"
        )


def _demo_studio_case(org, studio) -> None:
    county = org["centers"]["county"]
    case = (
        Case.objects.filter(center=county, status=Status.ROUTED, assignments__isnull=True)
        .exclude(group_assignments__isnull=False)
        .order_by("pk")
        .first()
    )
    if case is not None:
        services.assign_case_to_group(
            case,
            actor=org["users"]["supervisor"],
            group=studio,
            lead=org["users"]["mediator"],
            reason="涉及劳动合同和工伤赔偿，交言和调解工作室",
        )
