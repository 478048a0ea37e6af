"""External intake API for the 12345 hotline, grid platform and petition system, after Open311 GeoReport v2.

- ``GET  services.json``           the service list (dispute types)
- ``POST requests.json``           push a case; ``(source_system, external_id)`` is unique, a repeat push
                                   answers 200 with the existing case; ``Idempotency-Key`` replays
- ``GET  requests/<id>.json``      one request's status
- ``GET  requests.json?updated_after=...``  requests of this system updated since a time
- ``GET  tokens/<token>.json``     the request a POST's token stands for
- ``POST servicerequestupdates.json``  an update from the source system (recorded for the staff)
- ``GET  servicerequestupdates.json?start_date=...``  the public updates of this system's requests

Every method also answers as ``.xml``; errors on these paths are the standard's list of ``code`` /
``description``. A POST may be JSON or GeoReport's form fields (``attribute[code]=...``); ``external_id``
is optional: without it, an identical push within ``OPEN311_CONTENT_WINDOW_HOURS`` is recognised by a hash
of its content. ``jurisdiction_id`` (an area code of the system's center or one below it) says where the
case goes; it is required when ``OPEN311_REQUIRE_JURISDICTION`` is set (a deployment serving several).

Each external system signs in with its own token (``Authorization: Token ...``, or ``api_key=`` in the query
string or a form-encoded body) and sees only the cases it pushed.
"""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import Center, ExternalSystem, User
from cases.core.models import Case, DisputeType, Party, TimelineEvent
from cases.core.states import OPEN_STATUSES, Status
from cases.core.timeline import label_for
from cases.documents.receipt import status_url
from cases.intake.forms import PartyForm
from cases.intake.models import IntakeIdempotencyKey
from cases.intake.open311 import Open311XMLRenderer, service_attributes, service_definition
from cases.intake.rules import TooManyParties, check_party_count
from cases.intake.services import CaseData, record_external_note, record_external_update, register_case
from cases.integrations.statuses import extended_status
from mediation_center.api import error_body
from mediation_center.api_limits import refuse_unstorable_text, standard_errors

MAX_LIST = 500
NOTES_PER_REQUEST = 20  # the newest public updates in a request's ``notes``; ``notes_total`` counts them all


class ApiKeyAuthentication(TokenAuthentication):
    """Open311's ``api_key`` parameter, for clients that cannot send ``Authorization: Token ...``.

    Read from the query string, or from a form-encoded body as GeoReport v2 posts it; never from a JSON
    body, so nothing is parsed before the caller is known. (A form body is flat, and its size was
    checked from Content-Length by ApiBodyLimitMiddleware before this runs.)
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if not key and request.method == "POST" and request.content_type.startswith(self.FORM_TYPES):
            try:
                key = request._request.POST.get("api_key")
            except MultiPartParserError as exc:
                raise exceptions.ParseError(_("表单请求体无法解析。")) from exc
        if not key:
            return None
        return self.authenticate_credentials(str(key))


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "cases.intake.api.ApiKeyAuthentication"
    name = "open311ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "api_key"}


class IsExternalSystem(permissions.BasePermission):
    message = _("仅限已登记的外部系统调用。")

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and user.kind == User.Kind.SYSTEM and _system_of(user) is not None
        )


def _system_of(user) -> ExternalSystem | None:
    """The user's external system with its center (where its cases go), in one query, kept on the user."""
    related = User.external_system.related
    if not related.is_cached(user):
        related.set_cached_value(
            user, ExternalSystem.objects.select_related("center").filter(user=user).first()
        )
    return related.get_cached_value(user)


class Open311View(APIView):
    authentication_classes = [TokenAuthentication, ApiKeyAuthentication]
    permission_classes = [IsExternalSystem]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, Open311XMLRenderer]
    xml_root = "service_requests"  # the XML list's root element (cases/intake/open311.py)

    def dispatch(self, request, *args, **kwargs):
        # ``.xml`` / ``.json`` come from the route (``{"format": ...}``), not from the handler's arguments
        self.suffix_format = kwargs.pop("format", None)
        return super().dispatch(request, *args, **kwargs)

    def get_format_suffix(self, **kwargs):
        return self.suffix_format

    def finalize_response(self, request, response, *args, **kwargs):
        # GeoReport v2's error form on its paths: a list of {code, description} (XML: <errors>), whoever raised it.
        if response.status_code >= 400 and isinstance(getattr(response, "data", None), dict):
            response.data = standard_errors(response.status_code, response.data)
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def system(self) -> ExternalSystem:
        return self.request.user.external_system


# --- Representations ------------------------------------------------------------------


def service_body(dispute_type: DisputeType) -> dict:
    return {
        "service_code": dispute_type.code,
        "service_name": dispute_type.name,
        "description": dispute_type.name_en,
        "metadata": True,  # its definition (services/<code>) lists the center's attributes
        "type": "realtime",
        "keywords": "",
        "group": "dispute",
    }


def notes_prefetch() -> Prefetch:
    """The newest public timeline events of each request (one query for a whole list)."""
    events = TimelineEvent.objects.filter(is_public=True).order_by("-created_at", "-pk")
    return Prefetch("events", queryset=events[:NOTES_PER_REQUEST], to_attr="public_notes")


def note_body(event: TimelineEvent) -> dict:
    return {
        "note_id": str(event.pk),
        "datetime": event.created_at.isoformat(),
        "type": event.type,
        "description": str(label_for(event.type)),
    }


def request_body(case: Case) -> dict:
    """One service request, Open311-shaped, with this center's extensions (case number, tracking code),
    mySociety's extended status and the history of public updates (``notes``, newest first)."""
    notes = getattr(case, "public_notes", None)
    if notes is None:
        notes = list(case.events.filter(is_public=True).order_by("-created_at", "-pk")[:NOTES_PER_REQUEST])
    return {
        "service_request_id": str(case.pk),
        "status": "open" if case.is_open else "closed",
        "extended_status": extended_status(case),
        "status_notes": case.outcome_reason or str(case.get_status_display()),
        "service_name": case.dispute_type.name,
        "service_code": case.dispute_type.code,
        "description": case.summary,
        "agency_responsible": case.center.name,
        "requested_datetime": case.created_at.isoformat(),
        "updated_datetime": case.updated_at.isoformat(),
        "address": case.place,
        "external_id": case.external_id,
        "case_number": case.number,
        "case_status": case.status,
        "tracking_code": case.tracking_code,
        "notes": [note_body(e) for e in notes],
    }


def created_body(case: Case, *, changed: list[str] | None = None) -> list[dict]:
    """Open311's POST answer: a list with one item. Built from the case only, so a repeat push gets the same
    body; a push that changed the payload (``changed``: the field names) says the update was recorded."""
    body = {
        "service_request_id": str(case.pk),
        "service_notice": _("已登记，案号 %(number)s。") % {"number": case.number},
        "account_id": None,
        "token": case.tracking_code,
        "external_id": case.external_id,
        "case_number": case.number,
        "tracking_code": case.tracking_code,
        "status_url": status_url(case),
    }
    if changed:
        body["service_notice"] = _(
            "案号 %(number)s 已登记；本次推送的变更（%(fields)s）已记录，由承办人员核对处理。"
        ) % {"number": case.number, "fields": "、".join(changed)}
        body["update_recorded"] = True
        body["changed_fields"] = changed
    return [body]


# What the representations above answer, for the schema (tests/api/test_schema_contract.py holds them
# together). Open311 answers lists: even one request's status and a push's answer are one-item lists.


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField()
    group = serializers.CharField()


EXTENDED_STATUSES = [
    "OPEN",
    "INVESTIGATING",
    "ACTION_SCHEDULED",
    "IN_PROGRESS",
    "FIXED",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "NOT_COUNCILS_RESPONSIBILITY",
    "CLOSED",
]


class NoteSerializer(serializers.Serializer):
    note_id = serializers.CharField()
    datetime = serializers.DateTimeField()
    type = serializers.CharField()
    description = serializers.CharField()


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    extended_status = serializers.ChoiceField(
        choices=EXTENDED_STATUSES, help_text="mySociety's extended status"
    )
    status_notes = serializers.CharField()
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField()
    agency_responsible = serializers.CharField()
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    address = serializers.CharField()
    external_id = serializers.CharField()
    case_number = serializers.CharField()
    case_status = serializers.ChoiceField(choices=Status.choices)
    tracking_code = serializers.CharField()
    notes = NoteSerializer(many=True, help_text="The newest public updates, newest first (at most 20).")


class CreatedRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)
    token = serializers.CharField(help_text="For tokens/{token}: stands for this request.")
    external_id = serializers.CharField()
    case_number = serializers.CharField()
    tracking_code = serializers.CharField()
    status_url = serializers.URLField()
    update_recorded = serializers.BooleanField(
        required=False, help_text="Present (true) when a repeat push changed the payload and it was recorded."
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The payload fields that changed."
    )


# --- Input -------------------------------------------------------------------------------


class PartyInputSerializer(serializers.Serializer):
    """Fields are checked by the counter's PartyForm, so both intakes give the same Chinese messages."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("当事人应为对象。"))
        values = {key: ("" if value is None else value) for key, value in data.items()}
        if values.get("id_number") and not values.get("id_type"):
            values["id_type"] = Party.IdType.RESIDENT_ID
        values.setdefault("kind", Party.Kind.PERSON)
        form = PartyForm(values)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        return form.to_party_data()


class RequestInputSerializer(serializers.Serializer):
    service_code = serializers.SlugRelatedField(
        slug_field="code", queryset=DisputeType.objects.filter(active=True)
    )
    external_id = serializers.CharField(max_length=100, required=False)
    jurisdiction_id = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000)
    address_string = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, min_value=-180, max_value=180)
    first_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True)
    parties = PartyInputSerializer(many=True, required=False)
    claims = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), required=False)
    people_count = serializers.IntegerField(min_value=1, max_value=100000, required=False, default=1)
    is_group = serializers.BooleanField(required=False, default=False)
    risk_violence = serializers.BooleanField(required=False, default=False)
    risk_mass_incident = serializers.BooleanField(required=False, default=False)
    risk_upward_petition = serializers.BooleanField(required=False, default=False)
    police_calls = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)

    def to_internal_value(self, data):
        # The party limit is checked before any party is: 10,000 parties are refused at once, not validated.
        parties = data.get("parties") if hasattr(data, "get") else None
        if isinstance(parties, list):
            try:
                check_party_count(len(parties))
            except TooManyParties as exc:
                raise serializers.ValidationError({"parties": [str(exc.message)]}) from exc
        return super().to_internal_value(data)

    def validate_external_id(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("外部编号不能为空。"))
        return value

    def validate(self, attrs):
        parties = attrs.get("parties") or []
        if not parties:
            name = (attrs.get("last_name", "") + attrs.get("first_name", "")).strip()
            if not name:
                raise serializers.ValidationError(
                    {
                        "parties": [
                            _("请提供当事人（parties），或至少提供申请人姓名（last_name/first_name）。")
                        ]
                    }
                )
            applicant = PartyInputSerializer().to_internal_value(
                {"role": Party.Role.APPLICANT, "name": name, "phone": attrs.get("phone", "")}
            )
            parties = [applicant]
        if not any(p.role == Party.Role.APPLICANT for p in parties):
            raise serializers.ValidationError({"parties": [_("至少登记一名申请人。")]})
        attrs["parties"] = parties
        return attrs


def _plain(data) -> dict:
    """The raw payload as plain JSON (form-encoded bodies become a dict of strings)."""
    if hasattr(data, "lists"):
        return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}
    return json.loads(json.dumps(data, default=str))


def _lift_attributes(payload: dict) -> dict:
    """GeoReport's ``attribute[code]=value`` form fields (or a JSON ``attribute`` object) as the push's own
    fields, so both are validated alike; an attribute the service definitions do not list is refused."""
    known = {a["code"] for a in service_attributes()}
    lifted = dict(payload)
    attributes = lifted.pop("attribute", None)
    found = dict(attributes) if isinstance(attributes, dict) else {}
    for key in list(lifted):
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = lifted.pop(key)
    unknown = sorted(set(found) - known)
    if unknown:
        raise exceptions.ValidationError(
            {
                "attribute": [
                    _("未知的属性：%(codes)s（见 services/{service_code} 的定义）。")
                    % {"codes": "、".join(unknown)}
                ]
            }
        )
    for code, value in found.items():
        lifted.setdefault(code, value)
    return lifted


def _content_external_id(system: ExternalSystem, payload: dict) -> str:
    """A push without ``external_id``: its id is a hash of its content, so an identical repeat within the
    window finds the case it made; after the window the same content is a new case."""
    digest = hashlib.sha256(_canonical(payload).encode()).hexdigest()[:40]
    candidate = f"content-{digest}"
    existing = (
        Case.objects.filter(external_system=system.code, external_id__startswith=candidate)
        .order_by("-created_at")
        .values_list("external_id", "created_at")
        .first()
    )
    window = timezone.now() - timedelta(hours=settings.OPEN311_CONTENT_WINDOW_HOURS)
    if existing is None:
        return candidate
    if existing[1] >= window:
        return existing[0]
    return f"{candidate}-{int(timezone.now().timestamp())}"


def _jurisdiction(system: ExternalSystem, code: str) -> Center:
    """The center a push goes to: the one of the system's center subtree whose area code is ``code``."""
    if not code:
        if settings.OPEN311_REQUIRE_JURISDICTION:
            raise exceptions.ValidationError(
                {"jurisdiction_id": [_("本系统服务多个辖区，请提供 jurisdiction_id（行政区划代码）。")]}
            )
        return system.center
    if not code.isdigit():
        raise exceptions.ValidationError(
            {"jurisdiction_id": [_("jurisdiction_id 应为行政区划代码（数字）。")]}
        )
    center = (
        Center.objects.filter(area_code=code, path__startswith=system.center.path)
        .order_by("level", "pk")
        .first()
    )
    if center is None:
        raise exceptions.ValidationError(
            {"jurisdiction_id": [_("行政区划代码 %(code)s 不在本系统所属中心的辖区内。") % {"code": code}]}
        )
    return center


def _canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _fingerprint(payload: dict) -> str:
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


class IdempotencyConflict(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = _("该 Idempotency-Key 已用于内容不同的请求，请使用新的键。")


# --- Views -------------------------------------------------------------------------------


class ServiceListView(Open311View):
    """The service list: the dispute types cases can be pushed under. Public, as the standard makes it."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    xml_root = "services"

    @extend_schema(responses=ServiceSerializer(many=True), auth=[])
    def get(self, request):
        return Response([service_body(t) for t in DisputeType.objects.filter(active=True)])


class RequestListView(Open311View):
    """POST a service request (a case); GET this system's requests updated since a time."""

    @extend_schema(
        parameters=[
            OpenApiParameter("updated_after", OpenApiTypes.DATETIME),
            OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "closed"]),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=ServiceRequestSerializer(many=True),
    )
    def get(self, request):
        cases = (
            Case.objects.filter(external_system=self.system.code)
            .select_related("dispute_type", "center")
            .prefetch_related(notes_prefetch())
        )
        errors = {}
        since_text = request.query_params.get("updated_after", "")
        if since_text:
            since = parse_datetime(since_text.replace(" ", "+"))
            if since is None:
                errors["updated_after"] = [_("时间格式应为 ISO 8601，如 2026-01-31T08:00:00+08:00。")]
            else:
                if timezone.is_naive(since):
                    since = timezone.make_aware(since)
                cases = cases.filter(updated_at__gt=since)
        wanted_status = request.query_params.get("status", "")
        if wanted_status == "open":
            cases = cases.filter(status__in=[s.value for s in OPEN_STATUSES])
        elif wanted_status == "closed":
            cases = cases.exclude(status__in=[s.value for s in OPEN_STATUSES])
        elif wanted_status:
            errors["status"] = [_("只能为 open 或 closed。")]
        try:
            limit = min(max(int(request.query_params.get("limit", 100)), 1), MAX_LIST)
        except ValueError:
            errors["limit"] = [_("请填写整数。")]
            limit = 0
        if errors:
            return Response(
                error_body("invalid", _("查询参数有误。"), errors), status=status.HTTP_400_BAD_REQUEST
            )
        return Response([request_body(c) for c in cases.order_by("updated_at", "pk")[:limit]])

    @extend_schema(
        request=RequestInputSerializer,
        responses={
            201: OpenApiResponse(CreatedRequestSerializer(many=True), description="Registered."),
            200: OpenApiResponse(
                CreatedRequestSerializer(many=True),
                description="Already registered under this external_id (or replayed by Idempotency-Key); "
                "a changed payload is recorded on the case's timeline (update_recorded, changed_fields).",
            ),
        },
    )
    def post(self, request):
        if not isinstance(request.data, dict) and not hasattr(request.data, "lists"):
            return Response(
                error_body("invalid", _("请求体应为 JSON 对象。")), status=status.HTTP_400_BAD_REQUEST
            )
        payload = _plain(request.data)
        payload.pop("api_key", None)
        refuse_unstorable_text(payload)  # JSON bodies were checked by the parser; form bodies are here
        size, limit = len(_canonical(payload).encode()), settings.API_MAX_RAW_PAYLOAD_BYTES
        if size > limit:
            message = _("推送内容过大：原始报文最多保存 %(limit)s 字节，本次为 %(size)s 字节。") % {
                "limit": limit,
                "size": size,
            }
            return Response(
                error_body("raw_payload_too_large", message), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            code, body = self._create(payload)
            return Response(body, status=code)
        if len(key) > 120:
            return Response(
                error_body("invalid", _("Idempotency-Key 过长（最多 120 个字符）。")),
                status=status.HTTP_400_BAD_REQUEST,
            )
        fingerprint = _fingerprint(payload)
        try:
            with transaction.atomic(durable=True):
                # The key row is written first: a concurrent request with the same key waits on it
                # and then replays this one's answer. The key and the case commit together, so the
                # registration runs as a step of this transaction.
                record = IntakeIdempotencyKey.objects.create(
                    system=self.system, key=key, request_hash=fingerprint, response_status=0, response_body={}
                )
                code, body = self._create(payload, register=_register_in_savepoint)
                record.response_status = code
                record.response_body = body
                record.case_id = int(body[0]["service_request_id"])
                record.save(update_fields=["response_status", "response_body", "case"])
        except IntegrityError:
            record = IntakeIdempotencyKey.objects.filter(system=self.system, key=key).first()
            if record is None:
                raise
        else:
            return Response(body, status=code)
        if record.request_hash != fingerprint:
            raise IdempotencyConflict()
        response = Response(record.response_body, status=record.response_status)
        response["Idempotent-Replayed"] = "true"
        return response

    def _create(self, payload: dict, *, register=None) -> tuple[int, list[dict]]:
        """Register the pushed case, or find the one already pushed with this external id."""
        serializer = RequestInputSerializer(data=_lift_attributes(payload))
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        system = self.system
        center = _jurisdiction(system, v.get("jurisdiction_id", ""))
        external_id = v.get("external_id") or _content_external_id(system, payload)
        data = CaseData(
            dispute_type=v["service_code"],
            summary=v["description"],
            parties=v["parties"],
            source=system.source,
            claims=v.get("claims", ""),
            amount=v.get("amount"),
            people_count=v.get("people_count", 1),
            place=v.get("address_string", ""),
            is_group=v.get("is_group", False),
            risk_violence=v.get("risk_violence", False),
            risk_mass_incident=v.get("risk_mass_incident", False),
            risk_upward_petition=v.get("risk_upward_petition", False),
            police_calls=v.get("police_calls", 0),
            external_system=system.code,
            external_id=external_id,
            raw_payload=payload,
        )
        in_transaction = register is not None  # (the Idempotency-Key's transaction)
        register = register or register_case
        try:
            case = register(center=center, actor=self.request.user, data=data)
        except IntegrityError:
            # (system, external id) is unique: this is a repeat push, or a concurrent push with the same
            # external id won the race; the case already there is the answer. (Not looked up first: a
            # new push, by far the usual one, then costs no extra query.)
            existing = self._existing(external_id)
            if existing is None:
                raise
            # Nothing a system pushes may vanish: a changed payload is recorded for the staff; an identical
            # repeat is a pure replay.
            record = record_external_update.step if in_transaction else record_external_update
            changed = record(existing, actor=self.request.user, payload=payload)
            return status.HTTP_200_OK, created_body(existing, changed=changed)
        return status.HTTP_201_CREATED, created_body(case)

    def _existing(self, external_id: str) -> Case | None:
        return Case.objects.filter(external_system=self.system.code, external_id=external_id).first()


def _register_in_savepoint(**kwargs) -> Case:
    """``register_case`` as a step of the idempotency key's transaction, in a savepoint: a duplicate
    external id rolls back the insert only, and the key's transaction can still look up the case there."""
    with transaction.atomic():
        return register_case.step(**kwargs)


class RequestDetailView(Open311View):
    """One request's status; only requests this system pushed are found."""

    @extend_schema(responses=ServiceRequestSerializer(many=True))
    def get(self, request, pk: int):
        case = (
            Case.objects.filter(external_system=self.system.code, pk=pk)
            .select_related("dispute_type", "center")
            .prefetch_related(notes_prefetch())
            .first()
        )
        if case is None:
            raise exceptions.NotFound(_("未找到该请求。"))
        return Response([request_body(case)])


class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeSerializer(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.ChoiceField(choices=["string", "number", "datetime", "text", "singlevaluelist"])
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_blank=True)
    order = serializers.IntegerField()
    description = serializers.CharField()
    values = AttributeValueSerializer(many=True, required=False)


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = AttributeSerializer(many=True)


class ServiceDefinitionView(Open311View):
    """One service's definition: the attributes beyond the core fields (GeoReport v2 ``services/{code}``). Public."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    xml_root = "service_definition"

    @extend_schema(responses=ServiceDefinitionSerializer, auth=[])
    def get(self, request, code: str):
        dispute_type = DisputeType.objects.filter(active=True, code=code).first()
        if dispute_type is None:
            raise exceptions.NotFound(_("没有该服务代码。"))
        return Response(service_definition(dispute_type))


class TokenSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    token = serializers.CharField()


class TokenView(Open311View):
    """GeoReport v2 ``tokens/{token}``: the request a POST's token stands for (this system's only)."""

    xml_root = "service_requests"

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request, token: str):
        case = Case.objects.filter(external_system=self.system.code, tracking_code=token.upper()[:16]).first()
        if case is None:
            raise exceptions.NotFound(_("未找到该令牌对应的请求。"))
        return Response([{"service_request_id": str(case.pk), "token": case.tracking_code}])


class UpdateInputSerializer(serializers.Serializer):
    service_request_id = serializers.IntegerField(min_value=1)
    update_id = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000)
    status = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    updated_datetime = serializers.DateTimeField(required=False)
    first_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_update_id(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("更新编号不能为空。"))
        return value


class UpdateAnswerSerializer(serializers.Serializer):
    update_id = serializers.CharField(help_text="This center's id of the recorded update.")
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()


class PublicUpdateSerializer(serializers.Serializer):
    update_id = serializers.CharField()
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    extended_status = serializers.ChoiceField(choices=EXTENDED_STATUSES)
    updated_datetime = serializers.DateTimeField()
    description = serializers.CharField()


def _parse_time(text: str, name: str, errors: dict):
    if not text:
        return None
    value = parse_datetime(text.replace(" ", "+"))
    if value is None:
        errors[name] = [_("时间格式应为 ISO 8601，如 2026-01-31T08:00:00+08:00。")]
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class ServiceRequestUpdatesView(Open311View):
    """Updates both ways (the servicerequestupdates extension FixMyStreet speaks): POST an update from the
    source system (a caller added information, the citizen withdrew), recorded on the case's timeline for its
    staff, idempotent on ``update_id``; GET the public updates of this system's requests in a time range."""

    xml_root = "service_request_updates"

    @extend_schema(
        parameters=[
            OpenApiParameter("start_date", OpenApiTypes.DATETIME),
            OpenApiParameter("end_date", OpenApiTypes.DATETIME),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=PublicUpdateSerializer(many=True),
    )
    def get(self, request):
        errors: dict = {}
        start = _parse_time(request.query_params.get("start_date", ""), "start_date", errors)
        end = _parse_time(request.query_params.get("end_date", ""), "end_date", errors)
        try:
            limit = min(max(int(request.query_params.get("limit", 100)), 1), MAX_LIST)
        except ValueError:
            errors["limit"] = [_("请填写整数。")]
            limit = 0
        if errors:
            return Response(
                error_body("invalid", _("查询参数有误。"), errors), status=status.HTTP_400_BAD_REQUEST
            )
        found = TimelineEvent.objects.filter(is_public=True, case__external_system=self.system.code)
        if start:
            found = found.filter(created_at__gte=start)
        if end:
            found = found.filter(created_at__lt=end)
        found = found.select_related("case").order_by("created_at", "pk")[:limit]
        return Response(
            [
                {
                    "update_id": str(e.pk),
                    "service_request_id": str(e.case_id),
                    "status": "open" if e.case.is_open else "closed",
                    "extended_status": extended_status(e.case),
                    "updated_datetime": e.created_at.isoformat(),
                    "description": str(label_for(e.type)),
                }
                for e in found
            ]
        )

    @extend_schema(
        request=UpdateInputSerializer,
        responses={
            201: OpenApiResponse(UpdateAnswerSerializer(many=True), description="Recorded."),
            200: OpenApiResponse(
                UpdateAnswerSerializer(many=True), description="Already recorded (same update_id)."
            ),
        },
    )
    def post(self, request):
        if not isinstance(request.data, dict) and not hasattr(request.data, "lists"):
            return Response(
                error_body("invalid", _("请求体应为 JSON 对象。")), status=status.HTTP_400_BAD_REQUEST
            )
        payload = _plain(request.data)
        payload.pop("api_key", None)
        refuse_unstorable_text(payload)
        serializer = UpdateInputSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        case = Case.objects.filter(external_system=self.system.code, pk=v["service_request_id"]).first()
        if case is None:
            raise exceptions.NotFound(_("未找到该请求。"))
        key = f"update:{v['update_id']}"[:120]
        fingerprint = _fingerprint(payload)
        known = IntakeIdempotencyKey.objects.filter(system=self.system, key=key).first()
        if known is not None:
            if known.request_hash != fingerprint:
                raise IdempotencyConflict(_("该 update_id 已用于内容不同的更新，请使用新的编号。"))
            return Response(known.response_body, status=status.HTTP_200_OK)
        try:
            with transaction.atomic(durable=True):
                event = record_external_note.step(
                    case,
                    actor=request.user,
                    system_code=self.system.code,
                    update_id=v["update_id"],
                    description=v["description"],
                    status=v.get("status", ""),
                    name=(v.get("last_name", "") + v.get("first_name", "")).strip(),
                    updated_at=v["updated_datetime"].isoformat() if v.get("updated_datetime") else "",
                )
                body = [
                    {
                        "update_id": str(event.pk),
                        "service_request_id": str(case.pk),
                        "service_notice": _("补充信息已记录，承办人员将核对处理。"),
                    }
                ]
                IntakeIdempotencyKey.objects.create(
                    system=self.system,
                    key=key,
                    request_hash=fingerprint,
                    response_status=201,
                    response_body=body,
                    case=case,
                )
        except IntegrityError:  # the same update_id, sent twice at once: the first one's answer
            known = IntakeIdempotencyKey.objects.filter(system=self.system, key=key).first()
            if known is None:
                raise
            return Response(known.response_body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_201_CREATED)
