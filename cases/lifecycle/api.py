"""The lifecycle over the API: the same services and the same access rules as the pages."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from cases.core.access import get_case_for_user
from cases.core.models import Case
from cases.core.states import Outcome, Status
from cases.documents.registry import Viewer, documents_for
from cases.lifecycle import services
from cases.lifecycle.models import (
    FollowUpVisit,
    MediationSession,
    Satisfaction,
    SessionOutcome,
    TerminationNotice,
)
from cases.lifecycle.selectors import (
    CaseLifecycle,
    actions_for,
    current_agreement,
    get_case_for_role,
    lifecycle_of,
    overdue_follow_ups_for,
)
from mediation_center.errors import DomainError

# The documents the lifecycle's answer links (the receipt is intake's and not part of this answer).
LIFECYCLE_DOCUMENTS = ("agreement", "termination_notice", "case_file")


def _user(user) -> str | None:
    return str(user) if user else None


def _date(value) -> str | None:
    return value.isoformat() if value else None


def lifecycle_payload(case: Case, viewer, lifecycle: CaseLifecycle | None = None) -> dict:
    lifecycle = lifecycle or lifecycle_of(case)
    agreement = lifecycle.agreement
    docs = documents_for(case, Viewer.STAFF, lifecycle=lifecycle, kinds=LIFECYCLE_DOCUMENTS)
    return {
        "case": case.pk,
        "number": case.number,
        "status": case.status,
        "outcome": case.outcome,
        "outcome_reason": case.outcome_reason,
        "actions": sorted(actions_for(viewer, case, lifecycle)),
        "sessions": [
            {
                "id": s.pk,
                "started_at": _date(s.started_at),
                "mode": s.mode,
                "place": s.place,
                "parties": [p.pk for p in s.parties.all()],
                "mediators": [_user(m) for m in s.mediators.all()],
                "other_participants": s.other_participants,
                "discussion": s.discussion,
                "result": s.result,
                "outcome": s.outcome,
            }
            for s in lifecycle.sessions
        ],
        "agreement": agreement
        and {
            "id": agreement.pk,
            "facts": agreement.facts,
            "issues": agreement.issues,
            "responsibilities": agreement.responsibilities,
            "terms": [
                {
                    "order": t.order,
                    "content": t.content,
                    "performance": t.performance,
                    "due_on": _date(t.due_on),
                }
                for t in agreement.terms.all()
            ],
            "signed_parties": [s.party_id for s in agreement.signatures.all()],
            "mediator_signed": agreement.mediator_signed_at is not None,
            "sealed": agreement.sealed_at is not None,
            "effective_on": _date(agreement.effective_on),
            "confirmation_deadline": _date(agreement.confirmation_deadline),
            "confirmation_days_left": lifecycle.confirmation_days_left,
        },
        "oral_agreement": lifecycle.oral_agreement
        and {
            "content": lifecycle.oral_agreement.content,
            "agreed_on": _date(lifecycle.oral_agreement.agreed_on),
        },
        "termination_notice": lifecycle.notice
        and {
            "reason": lifecycle.notice.reason,
            "routes": lifecycle.notice.routes,
            "issued_on": _date(lifecycle.notice.issued_on),
        },
        "evaluation": lifecycle.evaluation
        and {
            "evaluator": _user(lifecycle.evaluation.evaluator),
            "outcome_correct": lifecycle.evaluation.outcome_correct,
            "documents_complete": lifecycle.evaluation.documents_complete,
            "on_time": lifecycle.evaluation.on_time,
            "comment": lifecycle.evaluation.comment,
            "created_at": _date(lifecycle.evaluation.created_at),
        },
        "closing": {
            "summary": case.closing_summary,
            "money_covered": str(case.money_covered) if case.money_covered is not None else None,
            "prevented_criminal": case.prevented_criminal,
            "prevented_group_petition": case.prevented_group_petition,
            "closed_at": _date(case.closed_at),
        },
        "follow_ups": [_visit(v) for v in lifecycle.follow_ups],
        "documents": {
            kind: reverse(f"cases:{docs[kind].url_name}", args=[case.pk]) if kind in docs else None
            for kind in LIFECYCLE_DOCUMENTS
        },
    }


def _visit(v: FollowUpVisit) -> dict:
    return {
        "id": v.pk,
        "reason": v.reason,
        "due_on": _date(v.due_on),
        "visited_at": _date(v.visited_at),
        "visitor": _user(v.visitor),
        "method": v.method,
        "performance": v.performance,
        "satisfaction": v.satisfaction,
        "notes": v.notes,
        "reopened_case": v.reopened_case,
    }


# What lifecycle_payload() answers, for the schema (tests/api/test_schema_contract.py holds them together).


class LifecycleSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=MediationSession.Mode.choices)
    place = serializers.CharField()
    parties = serializers.ListField(child=serializers.IntegerField())
    mediators = serializers.ListField(child=serializers.CharField())
    other_participants = serializers.CharField()
    discussion = serializers.CharField()
    result = serializers.CharField()
    outcome = serializers.ChoiceField(choices=SessionOutcome.choices, allow_blank=True)


class LifecycleTermSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    content = serializers.CharField()
    performance = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)


class LifecycleAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    facts = serializers.CharField()
    issues = serializers.CharField()
    responsibilities = serializers.CharField()
    terms = LifecycleTermSerializer(many=True)
    signed_parties = serializers.ListField(child=serializers.IntegerField())
    mediator_signed = serializers.BooleanField()
    sealed = serializers.BooleanField()
    effective_on = serializers.DateField(allow_null=True)
    confirmation_deadline = serializers.DateField(allow_null=True)
    confirmation_days_left = serializers.IntegerField(allow_null=True)


class LifecycleOralAgreementSerializer(serializers.Serializer):
    content = serializers.CharField()
    agreed_on = serializers.DateField()


class LifecycleNoticeSerializer(serializers.Serializer):
    reason = serializers.CharField()
    routes = serializers.ListField(child=serializers.ChoiceField(choices=TerminationNotice.Route.choices))
    issued_on = serializers.DateField()


class LifecycleEvaluationSerializer(serializers.Serializer):
    evaluator = serializers.CharField(allow_null=True)
    outcome_correct = serializers.BooleanField()
    documents_complete = serializers.BooleanField()
    on_time = serializers.BooleanField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class LifecycleClosingSerializer(serializers.Serializer):
    summary = serializers.CharField()
    money_covered = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    prevented_criminal = serializers.BooleanField()
    prevented_group_petition = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)


class LifecycleFollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=FollowUpVisit.Reason.choices)
    due_on = serializers.DateField()
    visited_at = serializers.DateTimeField(allow_null=True)
    visitor = serializers.CharField(allow_null=True)
    method = serializers.ChoiceField(choices=FollowUpVisit.Method.choices, allow_blank=True)
    performance = serializers.ChoiceField(choices=FollowUpVisit.Performance.choices, allow_blank=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_null=True)
    notes = serializers.CharField()
    reopened_case = serializers.BooleanField()


class LifecycleDocumentsSerializer(serializers.Serializer):
    """Links to the PDFs that exist for the case; null where there is none yet."""

    agreement = serializers.CharField(allow_null=True)
    termination_notice = serializers.CharField(allow_null=True)
    case_file = serializers.CharField(allow_null=True)


class LifecycleSerializer(serializers.Serializer):
    """Sessions, agreement, termination, evaluation, closing and follow-ups of one case (read-only)."""

    case = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    outcome_reason = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    sessions = LifecycleSessionSerializer(many=True)
    agreement = LifecycleAgreementSerializer(allow_null=True)
    oral_agreement = LifecycleOralAgreementSerializer(allow_null=True)
    termination_notice = LifecycleNoticeSerializer(allow_null=True)
    evaluation = LifecycleEvaluationSerializer(allow_null=True)
    closing = LifecycleClosingSerializer()
    follow_ups = LifecycleFollowUpSerializer(many=True)
    documents = LifecycleDocumentsSerializer()


class CaseLifecycleView(APIView):
    @extend_schema(responses=LifecycleSerializer)
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk, queryset=Case.objects.select_related("center"))
        return Response(lifecycle_payload(case, request.user))


class PartyIds(serializers.ListField):
    child = serializers.IntegerField()


def _parties(case: Case, ids: list[int]):
    parties = list(case.parties.filter(pk__in=ids))
    if len(parties) != len(set(ids)):
        raise serializers.ValidationError({"parties": [_("必须是本案当事人。")]})
    return parties


class SessionInput(serializers.Serializer):
    started_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=MediationSession.Mode.choices)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    parties = PartyIds(required=False)
    other_participants = serializers.CharField(required=False, allow_blank=True, max_length=300)
    discussion = serializers.CharField()
    result = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=SessionOutcome.choices, required=False, allow_blank=True)


class TermInput(serializers.Serializer):
    content = serializers.CharField()
    performance = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


class AgreementInput(serializers.Serializer):
    facts = serializers.CharField()
    issues = serializers.CharField()
    responsibilities = serializers.CharField()
    terms = TermInput(many=True, allow_empty=False)


class SignInput(serializers.Serializer):
    parties = PartyIds(required=False)
    mediator = serializers.BooleanField(required=False, default=False)
    seal = serializers.BooleanField(required=False, default=False)


class ConcludeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=TerminationNotice.Route.choices), required=False, default=list
    )
    oral_content = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationInput(serializers.Serializer):
    outcome_correct = serializers.BooleanField()
    documents_complete = serializers.BooleanField()
    on_time = serializers.BooleanField()
    comment = serializers.CharField()


class ReviewerInput(serializers.Serializer):
    reviewer = serializers.IntegerField()


class CloseInput(serializers.Serializer):
    summary = serializers.CharField()
    money_covered = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    prevented_criminal = serializers.BooleanField(required=False, default=False)
    prevented_group_petition = serializers.BooleanField(required=False, default=False)


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField()


class FollowUpInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=FollowUpVisit.Method.choices)
    performance = serializers.ChoiceField(choices=FollowUpVisit.Performance.choices)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    party = serializers.IntegerField(required=False, allow_null=True)
    reopen = serializers.BooleanField(required=False, default=False)
    reopen_reason = serializers.CharField(required=False, allow_blank=True, default="")


class _ActionView(APIView):
    """POST one lifecycle action; answers with the case's lifecycle after it."""

    action_name = ""
    input_class: type[serializers.Serializer] = serializers.Serializer
    created = False

    def perform(self, request, case: Case, data: dict, **kwargs) -> None:
        raise NotImplementedError

    def post(self, request, pk: int, **kwargs):
        case = get_case_for_role(request.user, pk, self.action_name)
        payload = self.input_class(data=request.data)
        payload.is_valid(raise_exception=True)
        self.perform(request, case, dict(payload.validated_data), **kwargs)
        case.refresh_from_db()
        code = status.HTTP_201_CREATED if self.created else status.HTTP_200_OK
        return Response(lifecycle_payload(case, request.user), status=code)


def _schema(input_class, *, created: bool = False):
    return extend_schema(request=input_class, responses={201 if created else 200: LifecycleSerializer})


class SessionCreateView(_ActionView):
    action_name, input_class, created = "record_session", SessionInput, True

    @_schema(SessionInput, created=True)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        data["parties"] = _parties(case, data.get("parties", []))
        services.record_session(case, actor=request.user, **data)


class SessionUpdateView(_ActionView):
    action_name, input_class = "record_session", SessionInput
    http_method_names = ["patch", "options"]

    @_schema(SessionInput)
    def patch(self, request, pk: int, session_pk: int):
        case = get_case_for_role(request.user, pk, self.action_name)
        session = case.sessions.filter(pk=session_pk).first()
        if session is None:
            raise Http404
        payload = SessionInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parties = _parties(case, data.pop("parties")) if "parties" in data else None
        services.update_session(session, actor=request.user, parties=parties, **data)
        return Response(lifecycle_payload(case, request.user))


class AgreementView(_ActionView):
    action_name, input_class = "edit_agreement", AgreementInput

    @_schema(AgreementInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        terms = [
            services.TermData(t["content"], t["performance"], t.get("due_on")) for t in data.pop("terms")
        ]
        services.save_agreement(case, actor=request.user, terms=terms, **data)


class AgreementSignView(_ActionView):
    action_name, input_class = "sign_agreement", SignInput

    @_schema(SignInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        agreement = current_agreement(case)
        if agreement is None:
            raise DomainError(_("本案尚未制作调解协议书。"), code="no_agreement")
        services.sign_agreement(
            agreement,
            actor=request.user,
            parties=_parties(case, data.get("parties", [])),
            mediator=data["mediator"],
            seal=data["seal"],
        )


class ConcludeView(_ActionView):
    action_name, input_class = "conclude", ConcludeInput

    @_schema(ConcludeInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        services.conclude_case(case, actor=request.user, **data)


class EvaluateView(_ActionView):
    action_name, input_class, created = "evaluate", EvaluationInput, True

    @_schema(EvaluationInput, created=True)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        services.evaluate_case(case, actor=request.user, **data)


class ReviewerView(_ActionView):
    action_name, input_class, created = "designate_reviewer", ReviewerInput, True

    @_schema(ReviewerInput, created=True)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        reviewer = User.objects.filter(pk=data["reviewer"], memberships__center=case.center).first()
        if reviewer is None:
            raise serializers.ValidationError({"reviewer": [_("须为本中心的工作人员。")]})
        services.designate_reviewer(case, actor=request.user, reviewer=reviewer)


class CloseView(_ActionView):
    action_name, input_class = "close", CloseInput

    @_schema(CloseInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        services.close_case(case, actor=request.user, **data)


class ReopenView(_ActionView):
    action_name, input_class = "reopen", ReopenInput

    @_schema(ReopenInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, **kwargs):
        services.reopen_case(case, actor=request.user, reason=data["reason"])


class FollowUpView(_ActionView):
    action_name, input_class = "record_follow_up", FollowUpInput

    @_schema(FollowUpInput)
    def post(self, request, pk: int, **kwargs):
        return super().post(request, pk, **kwargs)

    def perform(self, request, case, data, visit_pk: int, **kwargs):
        visit = case.follow_ups.filter(pk=visit_pk).first()
        if visit is None:
            raise Http404
        party_id = data.pop("party", None)
        data["party"] = _parties(case, [party_id])[0] if party_id else None
        data["satisfaction"] = int(data["satisfaction"])
        services.record_follow_up(visit, actor=request.user, **data)


class OverdueFollowUpSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number")

    class Meta:
        model = FollowUpVisit
        fields = ["id", "case", "case_number", "reason", "due_on"]


class OverdueFollowUpsView(ListAPIView):
    """Pending follow-up visits past their due date on cases the caller may see."""

    serializer_class = OverdueFollowUpSerializer

    def get_queryset(self):
        return overdue_follow_ups_for(self.request.user)
