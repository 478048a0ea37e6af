"""Online signing over the API: the signing status of a case's agreement, the mediator's SMS invitations and
the public verification of a signed PDF. The same services and access rules as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import get_case_for_user
from cases.lifecycle.selectors import actions_for, agreement_of, lifecycle_of
from mediation_center.api_limits import BoundedJSONParser
from online import selectors, services
from online.documents import render_signing_pdf


class PartySigningSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    state = serializers.ChoiceField(choices=["unsigned", "paper", "electronic"])
    signed_at = serializers.DateTimeField(allow_null=True)
    verification_code = serializers.CharField(allow_null=True)


class VoidedSignatureSerializer(serializers.Serializer):
    name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    document_sha256 = serializers.CharField()


class SigningStatusSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    effective_on = serializers.DateField(allow_null=True)
    signing_sha256 = serializers.CharField(
        allow_null=True, help_text="当前待签署文件的 SHA-256；尚未生成时为 null。"
    )
    parties = PartySigningSerializer(many=True)
    voided = VoidedSignatureSerializer(many=True, help_text="因协议修改而作废的电子签名。")


class InviteInput(serializers.Serializer):
    parties = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, help_text="当事人 id"
    )


class InviteResult(serializers.Serializer):
    invited = serializers.ListField(child=serializers.IntegerField())


class VerifyInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="签名页上的 12 位核验码")
    file = serializers.FileField(help_text="需要核验的 PDF 文件")


class SignerSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="已脱敏")
    role = serializers.CharField()
    signed_at = serializers.DateTimeField()
    valid = serializers.BooleanField()


class VerifyResult(serializers.Serializer):
    found = serializers.BooleanField()
    matches = serializers.BooleanField()
    which = serializers.ChoiceField(choices=["", "signed", "stamped"])
    valid = serializers.BooleanField()
    case_number = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()
    uploaded_sha256 = serializers.CharField()
    signers = SignerSerializer(many=True)


class SigningStatusView(APIView):
    """The signing status per party of the case's current agreement (staff who may see the case)."""

    @extend_schema(responses=SigningStatusSerializer)
    def get(self, request, pk: int):
        case = get_case_for_user(request.user, pk)
        lifecycle = lifecycle_of(case)
        if lifecycle.agreement is None:
            raise Http404
        parties = list(case.parties.all())
        section = selectors.case_page_section(
            case,
            request.user,
            lifecycle=lifecycle,
            parties=parties,
            actions=actions_for(request.user, case, lifecycle),
        )
        return Response(
            {
                "agreement": section.agreement.pk,
                "effective_on": section.agreement.effective_on,
                "signing_sha256": section.version.sha256 if section.version else None,
                "parties": [
                    {
                        "party": row.party.pk,
                        "name": row.party.name,
                        "role": row.party.role,
                        "state": row.state,
                        "signed_at": row.signature.signed_at if row.signature else None,
                        "verification_code": row.evidence.verification_code if row.evidence else None,
                    }
                    for row in section.parties
                ],
                "voided": [
                    {"name": e.signer_name, "signed_at": e.signed_at, "document_sha256": e.document_sha256}
                    for e in section.voided
                ],
            }
        )


class SigningInvitationView(APIView):
    """The case's mediator texts the chosen parties their signing links (bound to each party, expiring)."""

    @extend_schema(request=InviteInput, responses=InviteResult)
    def post(self, request, pk: int):
        case = get_case_for_user(request.user, pk, write=True)
        agreement = agreement_of(case)
        if agreement is None:
            raise Http404
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["parties"])
        parties = [p for p in case.parties.all() if p.pk in wanted]
        pdf, digest = render_signing_pdf(agreement)  # outside the service's transaction
        invited = services.invite_to_sign(
            agreement, actor=request.user, parties=parties, pdf=pdf, digest=digest
        )
        return Response({"invited": [p.pk for p in invited]})


class VerifyView(APIView):
    """Public: whether a PDF is the one signed under a verification code, and by whom (names masked)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # a PDF comes as multipart; a JSON body (no file) is parsed by the bounded parser and refused with 400
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(request={"multipart/form-data": VerifyInput}, responses=VerifyResult, auth=[])
    def post(self, request):
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = selectors.verify_document(data.validated_data["code"], data.validated_data["file"].read())
        return Response(
            {
                "found": result.found,
                "matches": result.matches,
                "which": result.which,
                "valid": result.valid,
                "case_number": result.case_number,
                "signed_at": result.signed_at,
                "sha256": result.sha256,
                "uploaded_sha256": result.uploaded_sha256,
                "signers": result.signers,
            }
        )
