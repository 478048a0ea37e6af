from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from risk.models import FollowUpTask, RiskSignal, SignalEvent, explain


class SignalSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name", read_only=True)
    dispute_type = serializers.CharField(
        source="dispute_type.name", read_only=True, allow_null=True, default=None
    )
    explanation = serializers.SerializerMethodField()
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = RiskSignal
        fields = [
            "id",
            "kind",
            "state",
            "level",
            "title",
            "explanation",
            "center",
            "center_id",
            "dispute_type",
            "respondent_name",
            "count_7",
            "count_30",
            "open_count",
            "baseline_weekly",
            "active",
            "assignee",
            "conclusion",
            "first_detected_at",
            "last_detected_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_explanation(self, signal) -> str:
        return explain(signal)


class SignalEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SignalEvent
        fields = ["type", "actor", "created_at", "data"]


class SignalTaskSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = FollowUpTask
        fields = ["id", "title", "owner", "due_at", "done_at", "result"]


class SignalDetailSerializer(SignalSerializer):
    cases = serializers.SerializerMethodField()
    events = SignalEventSerializer(many=True, read_only=True)
    tasks = SignalTaskSerializer(many=True, read_only=True)

    class Meta(SignalSerializer.Meta):
        fields = [*SignalSerializer.Meta.fields, "cases", "events", "tasks"]
        read_only_fields = fields

    def get_cases(self, signal) -> list[str]:
        return [case.number for case in self.context.get("cases", [])]


def _staff():
    return User.objects.filter(kind=User.Kind.STAFF, is_active=True)


class SignalAssignInputSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=_staff())
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SignalTaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=_staff())
    due_at = serializers.DateTimeField()

    def validate_due_at(self, value):
        if value <= timezone.now():
            raise serializers.ValidationError("后续任务的完成期限须晚于现在。")
        return value


class SignalConferenceInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="该信号所列案件之一的 id")
    held_at = serializers.DateTimeField()
    participants = serializers.CharField(max_length=2000)
    decisions = serializers.CharField(max_length=4000)
    tasks = SignalTaskInputSerializer(many=True, required=False, default=list)


class SignalTaskDoneInputSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=2000)


class SignalCloseInputSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=4000)
