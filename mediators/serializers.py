from rest_framework import serializers

from .models import Credential, GroupMember, MediationGroup, MediatorProfile, MediatorRequest


class CredentialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Credential
        fields = ["kind", "number", "issued_on", "expires_on"]


class ProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.__str__", read_only=True)
    centers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    channels = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    specialties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    credentials = CredentialSerializer(many=True, read_only=True)

    class Meta:
        model = MediatorProfile
        fields = [
            "id",
            "name",
            "kind",
            "outside_expert",
            "centers",
            "levels",
            "channels",
            "specialties",
            "languages",
            "available_days",
            "available_hours",
            "on_call",
            "intro",
            "is_public",
            "active",
            "credentials",
        ]


class MemberSerializer(serializers.ModelSerializer):
    profile_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="profile.user.__str__", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["profile_id", "name", "role"]


class GroupSerializer(serializers.ModelSerializer):
    specialties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = MediationGroup
        fields = ["id", "kind", "name", "center", "specialties", "intro", "is_public", "active", "members"]


class PublicProfileSerializer(serializers.ModelSerializer):
    """Only what the public directory shows: no account, no credentials numbers, no contact."""

    name = serializers.CharField(source="user.__str__", read_only=True)
    specialties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    centers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = MediatorProfile
        fields = [
            "id",
            "name",
            "kind",
            "centers",
            "specialties",
            "languages",
            "available_days",
            "available_hours",
            "intro",
        ]


class PublicGroupSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name", read_only=True)
    specialties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = MediationGroup
        fields = ["id", "kind", "name", "center", "specialties", "intro"]


class PublicDirectoryFilterSerializer(serializers.Serializer):
    specialty = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    level = serializers.ChoiceField(required=False, choices=[1, 2, 3])
    page = serializers.IntegerField(required=False, min_value=1, max_value=100000)


class PublicDirectorySerializer(serializers.Serializer):
    page = serializers.IntegerField()
    mediators = PublicProfileSerializer(many=True)
    groups = PublicGroupSerializer(many=True)


class CandidateSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    load = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    credential_warning = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    mediators = CandidateSerializer(many=True)
    groups = CandidateSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    name = serializers.CharField()
    handled = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField()
    visits = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)
    weighted = serializers.DecimalField(max_digits=12, decimal_places=2)


class MeasuresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    mediators = FiguresSerializer(many=True)
    groups = FiguresSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise serializers.ValidationError("起始日期不能晚于截止日期。")
        return data


class RequestSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    target = serializers.CharField(source="target.__str__", read_only=True)

    class Meta:
        model = MediatorRequest
        fields = [
            "id",
            "case",
            "case_number",
            "target",
            "reason",
            "state",
            "requested_at",
            "decided_at",
            "decision_reason",
        ]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=300)
