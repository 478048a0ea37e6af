from rest_framework import serializers

from cases.core.models import Case, Party, TimelineEvent
from cases.core.timeline import label_for


class PartySerializer(serializers.ModelSerializer):
    """Parties with ID numbers and phones masked on the server."""

    id_number = serializers.CharField(source="masked_id_number")
    phone = serializers.CharField(source="masked_phone")

    class Meta:
        model = Party
        fields = [
            "id",
            "role",
            "kind",
            "name",
            "id_type",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "address",
        ]


class TimelineEventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.__str__", default=None, allow_null=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "type", "label", "actor", "created_at", "is_public", "data"]

    def get_label(self, obj) -> str:
        return label_for(obj.type)


class CaseListSerializer(serializers.ModelSerializer):
    dispute_type = serializers.CharField(source="dispute_type.name")
    center = serializers.CharField(source="center.name")
    channel = serializers.CharField(source="channel.code", default=None, allow_null=True)
    parties = PartySerializer(many=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "source",
            "dispute_type",
            "center",
            "channel",
            "warning_level",
            "due_at",
            "created_at",
            "parties",
        ]


class CaseDetailSerializer(CaseListSerializer):
    events = TimelineEventSerializer(many=True)

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "summary",
            "claims",
            "amount",
            "people_count",
            "place",
            "is_group",
            "risk_violence",
            "risk_mass_incident",
            "risk_upward_petition",
            "police_calls",
            "repeat_count",
            "outcome",
            "events",
        ]
