"""The search API: the same search and similar cases as the staff pages, under the same access rule."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import get_case_for_user, is_staff_user
from cases.core.states import Status
from search.forms import SearchForm
from search.selectors import search_cases
from search.similar import similar_cases


class HitPartySerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="已遮挡")
    id_number = serializers.CharField(help_text="已遮挡")


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case.pk")
    number = serializers.CharField(source="case.number")
    status = serializers.ChoiceField(source="case.status", choices=Status.choices)
    status_label = serializers.CharField(source="case.get_status_display")
    warning_level = serializers.IntegerField(source="case.warning_level")
    dispute_type = serializers.CharField(source="case.dispute_type.name")
    center = serializers.CharField(source="case.center.name")
    channel = serializers.CharField(source="case.channel.code", default=None, allow_null=True)
    created_at = serializers.DateTimeField(source="case.created_at")
    exact = serializers.BooleanField(help_text="按案号、查询码、电话、证件号码等精确值命中")
    summary = serializers.CharField(source="case.summary")
    summary_html = serializers.CharField(source="summary", help_text="检索词以 <mark> 标出，其余已转义")
    snippet_html = serializers.CharField(
        source="snippet", help_text="概况中没有检索词时，诉求、调解记录或协议中的片段"
    )
    parties = HitPartySerializer(many=True)


class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total", help_text="命中数，超过上限时为上限")
    capped = serializers.BooleanField(help_text="命中数超过上限（1000）")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField()
    words = serializers.ListField(child=serializers.CharField(), help_text="分词后的检索词")
    results = HitSerializer(many=True, source="hits")


def _errors(form) -> dict:
    return {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="关键词：案号、序号、查询码、电话、证件号码、名称或纠纷内容"),
        OpenApiParameter("status", str, enum=Status.values),
        OpenApiParameter("channel", str, description="渠道代码"),
        OpenApiParameter("dispute_type", str, description="纠纷类型代码"),
        OpenApiParameter("center", int, description="中心 id（含下级中心）"),
        OpenApiParameter("since", OpenApiTypes.DATE),
        OpenApiParameter("until", OpenApiTypes.DATE),
        OpenApiParameter("page", int),
    ],
    responses=SearchResultSerializer,
)
class CaseSearchView(APIView):
    """Cases the caller may see that the query finds, exact keys first, then by relevance (400 for a bad
    filter); the same results as the staff page /cases/search/, phones and ID numbers masked."""

    def get(self, request):
        form = SearchForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError(_errors(form))
        data = form.cleaned_data
        user = request.user if is_staff_user(request.user) else None
        if user is None:
            results = search_cases(request.user, "", page=1)
        else:
            results = search_cases(user, data["q"], filters=form.filters(), page=data.get("page") or 1)
        return Response(SearchResultSerializer(results).data)


class SimilarItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case.pk")
    number = serializers.CharField(source="case.number")
    dispute_type = serializers.CharField(source="case.dispute_type.name")
    center = serializers.CharField(source="case.center.name")
    summary = serializers.CharField(source="case.summary")
    reasons = serializers.ListField(child=serializers.CharField())
    outcome = serializers.CharField()
    days = serializers.IntegerField(allow_null=True, help_text="受理到化解/终结的天数")
    terms = serializers.CharField(help_text="协议要点")
    failure = serializers.CharField(help_text="未成原因")
    mediator = serializers.CharField()
    same_respondent = serializers.BooleanField()


class RespondentCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    dispute_type = serializers.CharField(source="dispute_type.name")


class SimilarSectionSerializer(serializers.Serializer):
    items = SimilarItemSerializer(many=True)
    respondents = serializers.ListField(child=serializers.CharField())
    respondent_cases = RespondentCaseSerializer(many=True)
    respondent_open = serializers.IntegerField()


class SimilarCasesView(APIView):
    """The five most similar ended cases the caller may see, and the respondent's other cases (404 for a case
    the caller may not see)."""

    @extend_schema(responses=SimilarSectionSerializer)
    def get(self, request, pk: int):
        if not is_staff_user(request.user):
            raise Http404
        case = get_case_for_user(request.user, pk)
        return Response(SimilarSectionSerializer(similar_cases(request.user, case)).data)
