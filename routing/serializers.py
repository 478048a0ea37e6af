from rest_framework import serializers

from accounts.models import Center, Department, User
from cases.core.serializers import CaseListSerializer

from .models import CaseAssignment, Channel, Summons


class AssignmentSerializer(serializers.ModelSerializer):
    mediator = serializers.CharField(source="mediator.__str__")
    mediator_id = serializers.IntegerField()

    class Meta:
        model = CaseAssignment
        fields = ["id", "mediator_id", "mediator", "is_lead", "how", "reason", "assigned_at", "ended_at"]


class QueueCaseSerializer(CaseListSerializer):
    mediators = AssignmentSerializer(many=True, source="active_assignments")

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + ["priority", "mediators"]


class QueueFilterSerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=["mine", "channel"], default="mine")
    status = serializers.CharField(required=False, default="", allow_blank=True)
    warning_level = serializers.IntegerField(required=False, min_value=0, max_value=4, allow_null=True)
    dispute_type = serializers.CharField(required=False, default="", allow_blank=True)
    overdue = serializers.BooleanField(required=False, default=False)


class SuggestionSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField(source="rule.pk", allow_null=True)
    rule_name = serializers.CharField(source="rule.name", allow_null=True)
    channel = serializers.CharField(source="channel.code")
    center_id = serializers.IntegerField(source="center.pk")
    center = serializers.CharField(source="center.name")
    departments = serializers.SerializerMethodField()
    priority = serializers.IntegerField()
    explanation = serializers.CharField()

    def get_departments(self, obj) -> list[str]:
        return [d.code for d in obj.departments]


class RouteInputSerializer(serializers.Serializer):
    channel = serializers.SlugRelatedField(slug_field="code", queryset=Channel.objects.all(), required=False)
    center = serializers.PrimaryKeyRelatedField(queryset=Center.objects.all(), required=False)
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    priority = serializers.IntegerField(min_value=0, max_value=9, required=False)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class AssignInputSerializer(serializers.Serializer):
    mediator = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(kind=User.Kind.STAFF))
    lead = serializers.BooleanField(default=True)
    reason = serializers.CharField()


class TransferInputSerializer(serializers.Serializer):
    to_center = serializers.PrimaryKeyRelatedField(queryset=Center.objects.all())
    reason = serializers.CharField()


class SummonInputSerializer(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True)
    deadline = serializers.DateTimeField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class SummonsSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    case_number = serializers.CharField(source="case.number")

    class Meta:
        model = Summons
        fields = [
            "id",
            "case_id",
            "case_number",
            "department",
            "state",
            "note",
            "deadline",
            "summoned_at",
            "responded_at",
            "decline_reason",
            "action_taken",
        ]


class LiaisonCaseSerializer(serializers.Serializer):
    """Only what a summoned department needs of the case."""

    number = serializers.CharField()
    dispute_type = serializers.CharField(source="dispute_type.name")
    center = serializers.CharField(source="center.name")
    summary = serializers.CharField()
    claims = serializers.CharField()
    place = serializers.CharField()
    parties = serializers.SerializerMethodField()

    def get_parties(self, obj) -> list[str]:
        return [p.name for p in obj.parties.all()]


class SummonsDetailSerializer(SummonsSerializer):
    case = LiaisonCaseSerializer()

    class Meta(SummonsSerializer.Meta):
        fields = SummonsSerializer.Meta.fields + ["case"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
