"""Demo routing for the run command: a rota, and the demo cases routed, claimed and summoned via services."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Department
from cases.core.models import Case
from cases.core.states import Status

from . import services
from .models import RotaEntry, Summons

# department code -> weekdays (0 = Monday) it sits at the county center
ROTA = {"hrss": [0, 2, 4], "housing": [1, 3], "enforcement": [0, 3], "market": [2, 4]}


def build_demo_routing(org: dict) -> None:
    county = org["centers"]["county"]
    users = org["users"]
    for code, weekdays in ROTA.items():
        department = Department.objects.filter(center=county, code=code).first()
        if department is None:
            continue
        if department.seating != Department.Seating.ROTATING:
            department.seating = Department.Seating.ROTATING
            department.save(update_fields=["seating"])
        for weekday in weekdays:
            RotaEntry.objects.get_or_create(center=county, department=department, weekday=weekday)

    cases = list(Case.objects.filter(origin_center=county, status=Status.REGISTERED).order_by("pk"))
    for case in cases:
        services.route_case(case, actor=users["clerk"])
    by_type = {case.dispute_type.code: case for case in cases}
    if "labour" in by_type:  # the 欠薪 case: claimed, the labour bureau reports and acts
        labour = by_type["labour"]
        services.claim_case(labour, actor=users["mediator"])
        summons = Summons.objects.filter(case=labour, state=Summons.State.PENDING).first()
        if summons:
            services.accept_summons(summons, actor=users["liaison"])
            services.record_summons_action(
                summons, actor=users["liaison"], action="已约谈建筑公司负责人，责令 7 日内制定工资支付方案。"
            )
    if "medical" in by_type:  # assigned by the supervisor, with a summons that will go overdue
        medical = by_type["medical"]
        services.assign_mediator(
            medical, actor=users["supervisor"], mediator=users["mediator2"], reason="有医疗纠纷调解经验"
        )
        services.summon_departments(
            medical,
            actor=users["mediator2"],
            departments=list(Department.objects.filter(center=county, code="market")),
            deadline=timezone.now() + timedelta(hours=2),
            note="核查涉事药品来源",
        )
