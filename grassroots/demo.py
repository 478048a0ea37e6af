"""Demo data of grassroots (settings.DEMO_BUILDERS): a grid area with its grid worker, quick records, a
dispute reported up to the town, a latent risk, the three reference lists and a screening round."""

from datetime import timedelta

from django.utils import timezone

from cases.core.models import DisputeType, Party
from cases.intake.services import CaseData, PartyData

from . import services
from .models import GridArea, ReferenceList

REFERENCE_LISTS = {
    ReferenceList.Kind.LEGAL_EDUCATION: "《人民调解法》进村入户\n《民法典》婚姻家庭编宣讲\n农民工工资支付条例宣传",
    ReferenceList.Kind.LEGAL_SERVICE: "欠薪维权法律援助\n土地承包经营权流转咨询\n交通事故赔偿法律服务",
    ReferenceList.Kind.PREVENTION: "在建工地工资发放情况\n邻里宅基地纠纷苗头\n涉众型经济纠纷线索\n重点人员稳控情况",
}


def _data(code, summary, place, *names):
    parties = [
        PartyData(
            role=Party.Role.APPLICANT if i == 0 else Party.Role.RESPONDENT,
            name=n,
            phone=f"1380013{8100 + i:04d}",
        )
        for i, n in enumerate(names)
    ]
    return CaseData(
        dispute_type=DisputeType.objects.get(code=code), summary=summary, place=place, parties=parties
    )


def build_demo(org: dict) -> None:
    for kind, items in REFERENCE_LISTS.items():
        ReferenceList.objects.get_or_create(kind=kind, defaults={"items": items})
    village, town = org["centers"]["village11"], org["centers"]["town1"]
    worker, town_boss = org["users"]["grid_worker"], org["users"]["town_supervisor"]
    area, _ = GridArea.objects.get_or_create(center=village, name="第一网格")
    area.workers.add(worker)
    quick = [
        ("neighbour", "两户因排水沟堵塞争吵", "东村三组", ("王五", "赵六"), "赵六当天疏通水沟，双方和好"),
        ("family", "婆媳因带孩子问题争吵", "东村一组", ("陈大妈", "刘媳妇"), "约定轮流接送孩子，互相体谅"),
        ("neighbour", "鸡鸭进菜地损坏菜苗", "东村二组", ("钱七", "孙八"), "孙八赔偿菜苗五十元并圈养鸡鸭"),
    ]
    for code, summary, place, names, agreement in quick:
        services.record_quick(
            actor=worker, center=village, data=_data(code, summary, place, *names), agreement=agreement
        )
    services.record_quick(
        actor=org["users"]["village_mediator"],
        center=village,
        data=_data("housing", "宅基地边界争议，现场丈量后认可", "东村四组", "周大", "吴二"),
        agreement="按丈量结果重新立界桩",
    )
    services.report_dispute(
        actor=worker,
        center=village,
        to_center=town,
        data=_data("labour", "某工地拖欠十二名工人工资约二十万元", "东村工业园", "郑师傅", "某建筑公司"),
    )
    services.report_risk(
        actor=worker,
        center=village,
        data=services.RiskData(
            summary="工地下月结算工资，工人六十余名，包工头近期联系不上",
            place="东村工业园",
            level=3,
            people_count=60,
        ),
    )
    services.schedule_round(
        actor=town_boss,
        center=town,
        title="春节前欠薪专项排查",
        kind="topic",
        due_on=timezone.localdate() + timedelta(days=14),
        reference_list=ReferenceList.objects.get(kind=ReferenceList.Kind.PREVENTION),
        assignees=list(town.children.all()),
    )
