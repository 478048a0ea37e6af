"""The one transition table: every allowed move works, a sample of illegal ones changes nothing."""

import pytest

from cases.core.states import TABLE, TRANSITIONS, can_move, move, outcomes_from
from cases.models import Case, Outcome, Status
from mediation_center.errors import IllegalTransition

S, O = Status, Outcome  # noqa: E741


def _at(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(("source", "target", "outcome"), sorted(TABLE))
def test_every_allowed_move(make_case, source, target, outcome):
    case = _at(make_case(), source)
    move(case, target, outcome=outcome)
    case.refresh_from_db()
    assert case.status == target
    if outcome:
        assert case.outcome == outcome


@pytest.mark.parametrize(
    ("source", "target", "outcome"),
    [
        (S.REGISTERED, S.CLOSED, ""),
        (S.REGISTERED, S.IN_MEDIATION, ""),
        (S.ROUTED, S.CONCLUDED, O.WRITTEN_AGREEMENT),  # an agreement needs a mediation under way
        (S.ROUTED, S.CONCLUDED, O.FAILED),
        (S.IN_MEDIATION, S.CONCLUDED, ""),  # a conclusion must name its end
        (S.IN_MEDIATION, S.CLOSED, ""),
        (S.IN_MEDIATION, S.EVALUATED, ""),
        (S.CLOSED, S.CONCLUDED, O.WITHDRAWN),
        (S.CLOSED, S.ROUTED, ""),
        (S.NOT_ACCEPTED, S.REGISTERED, ""),
        (S.NOT_ACCEPTED, S.IN_MEDIATION, ""),
        (S.EVALUATED, S.CONCLUDED, O.FAILED),
        (S.IN_MEDIATION, S.NOT_ACCEPTED, ""),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(make_case, source, target, outcome):
    case = _at(make_case(), source)
    with pytest.raises(IllegalTransition) as excinfo:
        move(case, target, outcome=outcome)
    assert "不能" in str(excinfo.value.message)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == source and fresh.outcome == ""


def test_refusal_message_names_both_statuses(make_case):
    case = make_case()
    with pytest.raises(IllegalTransition) as excinfo:
        move(case, S.CLOSED)
    assert str(excinfo.value.message) == "案件当前为“已受理”，不能转为“已结案”。"


def test_routing_moves_are_kept():
    for source, target in [
        (S.REGISTERED, S.ROUTED),
        (S.ROUTED, S.ROUTED),
        (S.ROUTED, S.IN_MEDIATION),
        (S.IN_MEDIATION, S.ROUTED),
        (S.IN_MEDIATION, S.IN_MEDIATION),
    ]:
        assert target in TRANSITIONS[source]


def test_every_legal_end_is_reachable_from_mediation():
    assert set(outcomes_from(S.IN_MEDIATION)) == set(O.values) - {O.NOT_ACCEPTED}
    assert outcomes_from(S.ROUTED) == [O.REFUSED, O.WITHDRAWN, O.TRANSFERRED]
    assert O.NOT_ACCEPTED in outcomes_from(S.REGISTERED)


def test_not_accepted_names_its_own_outcome(make_case):
    case = make_case()
    assert can_move(case, S.NOT_ACCEPTED, O.NOT_ACCEPTED)
    move(case, S.NOT_ACCEPTED)
    case.refresh_from_db()
    assert case.status == S.NOT_ACCEPTED and case.outcome == O.NOT_ACCEPTED


def test_timestamps_are_stamped_once(make_case):
    case = _at(make_case(), S.IN_MEDIATION)
    move(case, S.CONCLUDED, outcome=O.WITHDRAWN)
    first = Case.objects.get(pk=case.pk).concluded_at
    assert first is not None
    move(case, S.IN_MEDIATION)
    move(case, S.CONCLUDED, outcome=O.WITHDRAWN)
    assert Case.objects.get(pk=case.pk).concluded_at == first
