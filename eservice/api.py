"""Electronic service over the API: the status per party per document, serving a document electronically,
recording paper service and a party's consent. The same services and access rules as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import can_change, get_case_for_user, is_staff_user
from eservice import selectors, services
from eservice.models import DocumentService, ServiceConsent
from mediation_center.api_limits import BoundedJSONParser

ID_MAX = 2**63 - 1  # PostgreSQL's bigint: a larger id is a 400, never a database error


class DocumentServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=DocumentService.Method.choices)
    state = serializers.ChoiceField(
        choices=["sent", "delivered", "served", "unopened"],
        help_text="sent 已发送；delivered 短信平台已接收；served 已送达（电子：首次打开）；unopened 逾期未打开",
    )
    served_at = serializers.DateTimeField(
        allow_null=True, help_text="送达时间：电子送达为当事人首次打开的时间"
    )
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(allow_blank=True, help_text="电子送达的文件 SHA-256")
    note = serializers.CharField(allow_blank=True)


class DocumentStatusSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["none", "sent", "delivered", "served", "unopened"])
    services = DocumentServiceSerializer(many=True)


class PartyStatusSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    consent = serializers.ChoiceField(choices=ServiceConsent.Method.choices, allow_null=True)
    consent_given_at = serializers.DateTimeField(allow_null=True)
    documents = DocumentStatusSerializer(many=True)


class ServiceBoardSerializer(serializers.Serializer):
    parties = PartyStatusSerializer(many=True)


class ServeDocumentInput(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="当事人 id")
    document = serializers.CharField(max_length=40, help_text="文书种类（文书目录的 kind，如 receipt）")


class PaperServiceInput(ServeDocumentInput):
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in DocumentService.PAPER_METHODS])
    served_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ServiceConsentInput(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="当事人 id")
    method = serializers.ChoiceField(
        choices=[ServiceConsent.Method.COUNTER, ServiceConsent.Method.ONLINE_APPLICATION], required=False
    )
    withdraw = serializers.BooleanField(default=False, help_text="true：撤回同意")


class ServiceConsentResult(serializers.Serializer):
    party = serializers.IntegerField()
    consent = serializers.ChoiceField(choices=ServiceConsent.Method.choices, allow_null=True)


def _service(s: DocumentService) -> dict:
    return {
        "id": s.pk,
        "method": s.method,
        "state": s.state,
        "served_at": s.service_moment,
        "sent_at": s.sent_at,
        "delivered_at": s.delivered_at,
        "sha256": s.sha256,
        "note": s.note,
    }


def _case(request, pk: int, *, write: bool = False):
    if not is_staff_user(request.user):
        raise Http404
    return get_case_for_user(request.user, pk, write=write)


def _board(case, user) -> dict:
    board = selectors.service_board(case, can_write=can_change(user, case))
    return {
        "parties": [
            {
                "party": row.party.pk,
                "name": row.party.name,
                "role": row.party.role,
                "consent": row.consent.method if row.consent else None,
                "consent_given_at": row.consent.given_at if row.consent else None,
                "documents": [
                    {
                        "kind": doc.kind,
                        "label": doc.label,
                        "state": doc.state,
                        "services": [_service(s) for s in doc.services],
                    }
                    for doc in row.documents
                ],
            }
            for row in board.rows
        ]
    }


class ServicesView(APIView):
    """GET: the service status per party per document of the case (staff who may see it).
    POST: serve a document electronically to a party who consented (staff who may change the case)."""

    parser_classes = [BoundedJSONParser]

    @extend_schema(responses=ServiceBoardSerializer)
    def get(self, request, pk: int):
        return Response(_board(_case(request, pk), request.user))

    @extend_schema(request=ServeDocumentInput, responses={201: DocumentServiceSerializer})
    def post(self, request, pk: int):
        case = _case(request, pk, write=True)
        data = ServeDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.check_servable(
            case, party=data.validated_data["party"], kind=data.validated_data["document"]
        )
        pdf = services.render_for_service(case, data.validated_data["document"])  # outside the transaction
        service = services.serve_electronically(
            case,
            party=data.validated_data["party"],
            kind=data.validated_data["document"],
            actor=request.user,
            pdf=pdf,
            request=request,
        )
        return Response(_service(service), status=status.HTTP_201_CREATED)


class PaperServiceView(APIView):
    """Record a paper service (邮寄 / 直接 / 留置送达) with its date (staff who may change the case)."""

    parser_classes = [BoundedJSONParser]

    @extend_schema(request=PaperServiceInput, responses={201: DocumentServiceSerializer})
    def post(self, request, pk: int):
        case = _case(request, pk, write=True)
        data = PaperServiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        service = services.record_paper_service(
            case,
            party=v["party"],
            kind=v["document"],
            method=v["method"],
            served_at=v["served_at"],
            note=v["note"],
            actor=request.user,
            request=request,
        )
        return Response(_service(service), status=status.HTTP_201_CREATED)


class ConsentView(APIView):
    """Record a party's consent to electronic service as given at the counter or on the online application,
    or its withdrawal (staff who may change the case)."""

    parser_classes = [BoundedJSONParser]

    @extend_schema(request=ServiceConsentInput, responses=ServiceConsentResult)
    def post(self, request, pk: int):
        case = _case(request, pk, write=True)
        data = ServiceConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["withdraw"]:
            services.withdraw_consent(case, party=v["party"], actor=request.user, request=request)
            return Response({"party": v["party"], "consent": None})
        if not v.get("method"):
            raise serializers.ValidationError({"method": ["请选择同意方式：counter 或 online_application。"]})
        consent = services.give_consent(
            case, party=v["party"], actor=request.user, method=v["method"], request=request
        )
        return Response({"party": v["party"], "consent": consent.method})
