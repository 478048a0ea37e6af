"""Demo data of 研判预警 (settings.DEMO_BUILDERS): a wage-dispute surge in 城关镇 against one contractor,
a few group visits by the same people, then one detection run so the page is not empty.

The cases are registered through the real intake service; the history's registration times are then moved
into the past (demo data only: a real history is what the center registered over the weeks)."""

from datetime import timedelta

from django.utils import timezone

from cases.core.identity import credit_code_check_char
from cases.core.models import Case, DisputeType, Party
from cases.intake.services import CaseData, PartyData, register_case

CONTRACTOR = "示例建筑工程有限公司"
_BASE = "91330100MA27XY1A0"
CREDIT_CODE = _BASE + credit_code_check_char(_BASE)


def _register(org, center_key: str, type_code: str, summary: str, respondent: PartyData, **extra) -> Case:
    applicant = extra.pop("applicant", None) or PartyData(
        role=Party.Role.APPLICANT, name="工友" + summary[-2:], phone="13700137000"
    )
    return register_case(
        center=org["centers"][center_key],
        actor=org["users"]["clerk"],
        data=CaseData(
            dispute_type=DisputeType.objects.get(code=type_code),
            summary=summary,
            parties=[applicant, respondent],
            **extra,
        ),
    )


def build_demo_risk(org: dict) -> int:
    from risk.services import detect_risks

    now = timezone.now()
    made: list[tuple[Case, timedelta]] = []
    contractor = PartyData(
        role=Party.Role.RESPONDENT, name=CONTRACTOR, kind=Party.Kind.LEGAL, credit_code=CREDIT_CODE
    )
    # The history: about one wage dispute a fortnight in 城关镇 over the last four months.
    for week in range(5, 17, 2):
        other = PartyData(role=Party.Role.RESPONDENT, name=f"城关镇第{week}号商户", kind=Party.Kind.LEGAL)
        made.append(
            (_register(org, "town1", "labour", f"欠薪纠纷（第{week}周前）", other), timedelta(weeks=week))
        )
    # The surge: eight wage disputes against one contractor in the last week, in the town and its villages.
    for n in range(8):
        where = ("town1", "village11", "village12")[n % 3]
        case = _register(
            org,
            where,
            "labour",
            f"{CONTRACTOR}工地拖欠农民工工资 第{n + 1}起",
            contractor,
            people_count=3 + n,
            applicant=PartyData(
                role=Party.Role.APPLICANT, name=f"农民工{n + 1}号", phone=f"1370013{7000 + n}"
            ),
        )
        made.append((case, timedelta(days=n % 6, hours=n)))
    # Group visits in 青山镇: the same representative comes back with the group.
    rep = PartyData(role=Party.Role.APPLICANT, name="孙代表", phone="13600136000", is_representative=True)
    neighbour = PartyData(role=Party.Role.RESPONDENT, name="青山镇某村民委员会", kind=Party.Kind.ORGANISATION)
    for n, flags in enumerate(
        [{"is_group": True}, {"is_group": True, "risk_mass_incident": True}, {"risk_upward_petition": True}]
    ):
        case = _register(
            org,
            "town2",
            "requisition",
            f"土地补偿集体访 第{n + 1}次",
            neighbour,
            applicant=rep,
            people_count=12,
            **flags,
        )
        made.append((case, timedelta(days=3 * n + 1)))
    for case, ago in made:
        Case.objects.filter(pk=case.pk).update(created_at=now - ago)
    detect_risks()
    return len(made)
