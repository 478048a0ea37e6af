"""Rule matching, ordering and the explanation the clerk reads."""

from decimal import Decimal

import pytest

from cases.models import DisputeType, Source
from routing.models import Channel, RoutingRule
from routing.rules import suggest_route


def _rule(**kw):
    types = kw.pop("types", [])
    kw.setdefault("channel", Channel.objects.get(code="online"))
    kw.setdefault("reason", "测试理由")
    rule = RoutingRule.objects.create(**kw)
    if types:
        rule.dispute_types.set(DisputeType.objects.filter(code__in=types))
    return rule


@pytest.mark.parametrize(
    ("overrides", "channel", "rule_code"),
    [
        ({}, "specialist", "labour"),
        ({"dispute_type": "traffic"}, "police", "traffic"),
        ({"dispute_type": "medical"}, "specialist", "medical"),
        ({"source": Source.PETITION_SYSTEM}, "petition", "petition-system"),
        ({"source": Source.COURT_REFERRAL}, "court", "court-referral"),
        ({"source": Source.ONLINE}, "online", "online-application"),
        ({"dispute_type": "other"}, "specialist", "default"),
        ({"dispute_type": "family", "risk_violence": True}, "police", "high-risk"),
        ({"dispute_type": "requisition", "people_count": 30}, "petition", "many-people"),
    ],
)
def test_seeded_rules_follow_typical_handlers(make_case, overrides, channel, rule_code):
    if "dispute_type" in overrides:
        overrides["dispute_type"] = DisputeType.objects.get(code=overrides["dispute_type"])
    suggestion = suggest_route(make_case(**overrides))
    assert suggestion.channel.code == channel
    assert suggestion.rule.code == rule_code


def test_family_dispute_at_village_stays_in_the_village(make_case, world):
    case = make_case(center=world.village, dispute_type=DisputeType.objects.get(code="family"))
    suggestion = suggest_route(case)
    assert suggestion.rule.code == "family-neighbour-village"
    assert suggestion.center == world.village
    assert "小事不出村" in suggestion.explanation
    # the same dispute registered at the town does not match the village rule
    town_case = make_case(center=world.town, dispute_type=DisputeType.objects.get(code="family"))
    assert suggest_route(town_case).rule.code == "family-neighbour"


def test_high_risk_at_village_goes_up_to_the_county(make_case, world):
    case = make_case(center=world.village, risk_mass_incident=True)
    suggestion = suggest_route(case)
    assert suggestion.rule.code == "labour-high-risk"
    assert suggestion.center == world.county
    assert "测试县矛调中心" in suggestion.explanation
    assert [d.code for d in suggestion.departments] == ["hrss"]


def test_first_matching_rule_wins_and_order_is_editable(make_case):
    case = make_case()
    early = _rule(position=1, name="先到", types=["labour"])
    assert suggest_route(case).rule == early
    early.position = 1000
    early.save()
    assert suggest_route(case).rule.code == "labour"
    early.position = 1
    early.active = False
    early.save()
    assert suggest_route(case).rule.code == "labour"


def test_default_rule_comes_last_whatever_its_position(make_case):
    default = RoutingRule.objects.get(is_default=True)
    default.position = 0
    default.save()
    assert suggest_route(make_case()).rule.code == "labour"


@pytest.mark.parametrize(
    ("condition", "matching", "failing"),
    [
        ({"min_amount": Decimal("5000")}, {"amount": Decimal("5000")}, {"amount": Decimal("4999.99")}),
        ({"max_amount": Decimal("5000")}, {"amount": Decimal("100")}, {"amount": Decimal("5000")}),
        ({"min_people": 5}, {"people_count": 5}, {"people_count": 4}),
        ({"max_people": 5}, {"people_count": 4}, {"people_count": 5}),
        ({"risk": "risk"}, {"police_calls": 2}, {}),
        ({"risk": "no_risk"}, {}, {"risk_upward_petition": True}),
        ({"sources": ["grid"]}, {"source": Source.GRID}, {"source": Source.PHONE}),
        ({"center_levels": [1]}, {}, {"center": "town"}),
    ],
)
def test_each_condition_matches_and_fails(make_case, world, condition, matching, failing):
    rule = _rule(position=1, name="条件规则", **condition)
    for values, expected in ((matching, True), (failing, False)):
        values = dict(values)
        if values.get("center") == "town":
            values["center"] = world.town
        assert (suggest_route(make_case(**values)).rule == rule) is expected, values


def test_explanation_names_the_conditions_and_the_reason(make_case):
    _rule(position=1, name="大额劳动", types=["labour"], min_amount=Decimal("10000"), reason="大额欠薪")
    suggestion = suggest_route(make_case(amount=Decimal("20000")))
    assert suggestion.explanation == "纠纷类型为“劳动争议”；涉及金额 20000 元，不低于 10000.00 元；大额欠薪"


def test_default_rule_explains_itself(make_case):
    suggestion = suggest_route(make_case(dispute_type=DisputeType.objects.get(code="pollution")))
    assert suggestion.rule.is_default
    assert suggestion.explanation.startswith("没有其他规则匹配，使用默认规则")


def test_seed_is_idempotent_and_keeps_admin_changes(db):
    from routing.seed import seed_reference_data

    rule = RoutingRule.objects.get(code="labour")
    rule.priority = 7
    rule.save()
    count = RoutingRule.objects.count()
    seed_reference_data()
    assert RoutingRule.objects.count() == count
    assert RoutingRule.objects.get(code="labour").priority == 7
    assert RoutingRule.objects.filter(is_default=True).count() == 1
    assert set(Channel.objects.values_list("code", flat=True)) == {
        "court",
        "police",
        "online",
        "specialist",
        "petition",
    }


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as a request runs (the cache in use)
def test_the_rules_are_read_once_and_read_again_after_any_edit(make_case, monkeypatch):
    """The rules are cached reference data: a second suggestion does not read them again, and an edit of a
    rule's dispute types, of a channel or of a rule applies to the next suggestion at once."""
    from routing import rules

    loads = []
    load = rules._load_rules
    monkeypatch.setattr(rules, "_load_rules", lambda: loads.append(1) or load())
    case = make_case()
    suggest_route(case)
    assert suggest_route(case).rule.code == "labour"
    assert len(loads) == 1
    early = _rule(position=1, name="先到", types=["family"])
    assert suggest_route(case).rule.code == "labour"  # a family rule: not this case's
    early.dispute_types.set(DisputeType.objects.filter(code="labour"))  # m2m only, no save of the rule
    assert suggest_route(case).rule == early
    early.dispute_types.set(DisputeType.objects.filter(code="family"))
    assert suggest_route(case).rule.code == "labour"
    channel = suggest_route(case).channel
    channel.name = "改名后的渠道"
    channel.save()
    assert suggest_route(case).channel.name == "改名后的渠道"
