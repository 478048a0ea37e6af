"""Online mediation sessions over the API, with the pages' services and access rules: staff who may see the case
read its sessions (404 otherwise), the case's mediator schedules, invites, posts, records the times and closes
(403 for staff who may only read); a signed-in party uses their own link's token (404 for anyone else).
Files are posted as multipart, through the conversation's upload checks."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.core.access import can_change, get_case_for_user, is_staff_user
from cases.portal.forms import MessageForm
from mediation_center.api_limits import BoundedJSONParser
from online import session_selectors as selectors
from online import session_services as services
from online.access import party_for_session_link
from online.models import OnlineSession, ProposalAnswer, SessionPost

MAX_ID = 2**31 - 1


class ParticipantSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    state = serializers.ChoiceField(choices=["scheduled", "invited", "joined", "confirmed"])
    invited_at = serializers.DateTimeField(allow_null=True)
    joined_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_sha256 = serializers.CharField(allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=ProposalAnswer.Answer.choices)
    answered_at = serializers.DateTimeField()


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SessionPost.Kind.choices)
    from_staff = serializers.BooleanField()
    speaker = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    file = serializers.CharField(allow_null=True, help_text="附件文件名；下载见群众端附件链接")
    created_at = serializers.DateTimeField()
    answers = AnswerSerializer(many=True, help_text="调解方案的各方表态（发言为空）")


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(help_text="调解记录（MediationSession）id")
    planned_at = serializers.DateTimeField()
    video_url = serializers.URLField()
    held_from = serializers.DateTimeField(allow_null=True)
    held_until = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    record_text = serializers.CharField(allow_blank=True)
    record_sha256 = serializers.CharField(allow_blank=True)
    participants = ParticipantSerializer(many=True)


class SessionDetailSerializer(SessionSerializer):
    posts = PostSerializer(many=True)


class ScheduleInput(serializers.Serializer):
    planned_at = serializers.DateTimeField()
    video_url = serializers.URLField(max_length=200)
    parties = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        help_text="当事人 id",
    )

    def validate_video_url(self, value):
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("请填写以 http:// 或 https:// 开头的链接。")
        return value


class SessionInviteInput(serializers.Serializer):
    parties = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        help_text="当事人 id",
    )


class PostInput(serializers.Serializer):
    body = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, help_text="附件（multipart），类型与大小限制同在线调解留言")
    kind = serializers.ChoiceField(choices=SessionPost.Kind.choices, default=SessionPost.Kind.MESSAGE)


class PartyPostInput(serializers.Serializer):
    body = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, help_text="附件（multipart），类型与大小限制同在线调解留言")


class TimesInput(serializers.Serializer):
    held_from = serializers.DateTimeField()
    held_until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SessionCloseInput(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)


class AnswerInput(serializers.Serializer):
    post = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="调解方案的发言 id")
    answer = serializers.ChoiceField(choices=ProposalAnswer.Answer.choices)


class ConfirmInput(serializers.Serializer):
    record_sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="当事人所阅读笔录的 SHA-256")


def _session_data(online_session: OnlineSession, participants) -> dict:
    summary = selectors.SessionSummary(online_session, list(participants))
    return {
        "id": online_session.pk,
        "session": online_session.session_id,
        "planned_at": online_session.planned_at,
        "video_url": online_session.video_url,
        "held_from": online_session.held_from,
        "held_until": online_session.held_until,
        "closed_at": online_session.closed_at,
        "record_text": online_session.record_text,
        "record_sha256": online_session.record_sha256,
        "participants": [
            {
                "party": row.party_id,
                "name": row.party.name,
                "role": row.party.role,
                "state": state,
                "invited_at": row.invited_at,
                "joined_at": row.joined_at,
                "confirmed_at": row.confirmed_at,
                "confirmed_sha256": row.confirmed_sha256,
            }
            for row, state in summary.rows
        ],
    }


def _posts_data(posts) -> list[dict]:
    rows = []
    for item in posts:
        message = item.message
        if message.from_staff:
            speaker = str(message.author or "")
        else:
            party = item.post.party
            speaker = party.name if party else ""
        rows.append(
            {
                "id": item.post.pk,
                "kind": item.post.kind,
                "from_staff": message.from_staff,
                "speaker": speaker,
                "body": message.body,
                "file": message.attachment.original_name if message.attachment else None,
                "created_at": message.created_at,
                "answers": [
                    {"party": a.party_id, "answer": a.answer, "answered_at": a.answered_at}
                    for a in item.answers.values()
                ],
            }
        )
    return rows


def _detail(online_session: OnlineSession, posts=None) -> dict:
    online_session = selectors._sessions_qs().get(pk=online_session.pk)
    return {
        **_session_data(online_session, online_session.participants.all()),
        "posts": _posts_data(posts if posts is not None else selectors.thread(online_session)),
    }


def _staff_case(request, pk: int, *, write: bool = False):
    if not is_staff_user(request.user):
        raise NotFound
    return get_case_for_user(request.user, pk, write=write)


def _staff_session(request, pk: int, session_pk: int, *, write: bool = False):
    case = _staff_case(request, pk, write=write)
    return case, selectors.get_online_session_for_case(case, session_pk)


def _upload_checked(data: dict):
    """The conversation's file checks (type, size), as the pages apply them."""
    form = MessageForm(
        data={"body": data.get("body", "")}, files={"file": data["file"]} if data.get("file") else {}
    )
    if not form.is_valid():
        raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form.cleaned_data["body"], form.cleaned_data["file"]


MULTIPART = [BoundedJSONParser, MultiPartParser, FormParser]


class CaseSessionsView(APIView):
    """The case's online sessions with, per party, invited / joined / confirmed; POST schedules one."""

    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request, pk: int):
        case = _staff_case(request, pk)
        section = selectors.case_sessions(case, request.user, writable=can_change(request.user, case))
        return Response([_session_data(s.online_session, s.participants) for s in section.sessions])

    @extend_schema(request=ScheduleInput, responses={201: SessionDetailSerializer})
    def post(self, request, pk: int):
        case = _staff_case(request, pk, write=True)
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["parties"])
        online_session = services.schedule_online_session(
            case,
            actor=request.user,
            planned_at=data.validated_data["planned_at"],
            video_url=data.validated_data["video_url"],
            parties=[p for p in case.parties.all() if p.pk in wanted],
            request=request,
        )
        return Response(_detail(online_session), status=201)


class SessionDetailView(APIView):
    """One online session: its thread (messages, files, proposals with the answers) and its record."""

    @extend_schema(responses=SessionDetailSerializer)
    def get(self, request, pk: int, session_pk: int):
        _case, online_session = _staff_session(request, pk, session_pk)
        return Response(_detail(online_session))


class SessionPostView(APIView):
    """The mediator says something in the thread, or puts a proposal (调解方案) to the parties."""

    parser_classes = MULTIPART

    @extend_schema(
        request={"application/json": PostInput, "multipart/form-data": PostInput},
        responses={201: SessionDetailSerializer},
    )
    def post(self, request, pk: int, session_pk: int):
        _case, online_session = _staff_session(request, pk, session_pk, write=True)
        data = PostInput(data=request.data)
        data.is_valid(raise_exception=True)
        body, upload = _upload_checked(data.validated_data)
        services.post_to_session(
            online_session,
            actor=request.user,
            body=body,
            upload=upload,
            kind=data.validated_data["kind"],
            request=request,
        )
        return Response(_detail(online_session), status=201)


class SessionInviteView(APIView):
    """Text the chosen parties their links into the session (bound to each party, expiring)."""

    @extend_schema(request=SessionInviteInput, responses=SessionDetailSerializer)
    def post(self, request, pk: int, session_pk: int):
        _case, online_session = _staff_session(request, pk, session_pk, write=True)
        data = SessionInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["parties"])
        parties = [r.party for r in online_session.participants.all() if r.party_id in wanted]
        services.invite_to_session(online_session, actor=request.user, parties=parties, request=request)
        return Response(_detail(online_session))


class SessionTimesView(APIView):
    """Record when the session actually took place."""

    @extend_schema(request=TimesInput, responses=SessionDetailSerializer)
    def post(self, request, pk: int, session_pk: int):
        _case, online_session = _staff_session(request, pk, session_pk, write=True)
        data = TimesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_session_times(
            online_session, actor=request.user, request=request, **data.validated_data
        )
        return Response(_detail(online_session))


class SessionCloseView(APIView):
    """End the session: the thread becomes the session record and the parties are texted to confirm it."""

    @extend_schema(request=SessionCloseInput, responses=SessionDetailSerializer)
    def post(self, request, pk: int, session_pk: int):
        _case, online_session = _staff_session(request, pk, session_pk, write=True)
        data = SessionCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_online_session(
            online_session, actor=request.user, outcome=data.validated_data["outcome"], request=request
        )
        return Response(_detail(online_session))


# --- The party's side: the token of their own link, signed in as that party ------------------------------
class PartySessionView(APIView):
    """The party's session (the first call records that they joined)."""

    @extend_schema(responses=SessionDetailSerializer)
    def get(self, request, token: str):
        online_session, party = party_for_session_link(request.user, token)
        services.join_session(online_session, party=party, citizen=request.user, request=request)
        return Response(_detail(online_session))


class PartyPostView(APIView):
    """The party says something in the thread (text and/or a file)."""

    parser_classes = MULTIPART

    @extend_schema(
        request={"application/json": PartyPostInput, "multipart/form-data": PartyPostInput},
        responses={201: SessionDetailSerializer},
    )
    def post(self, request, token: str):
        online_session, party = party_for_session_link(request.user, token)
        data = PartyPostInput(data=request.data)
        data.is_valid(raise_exception=True)
        body, upload = _upload_checked(data.validated_data)
        services.post_to_session(
            online_session, actor=request.user, party=party, body=body, upload=upload, request=request
        )
        return Response(_detail(online_session), status=201)


class PartyAnswerView(APIView):
    """The party marks a proposal 同意 or 不同意."""

    @extend_schema(request=AnswerInput, responses=SessionDetailSerializer)
    def post(self, request, token: str):
        online_session, party = party_for_session_link(request.user, token)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        post = SessionPost.objects.filter(
            pk=data.validated_data["post"], online_session=online_session
        ).first()
        if post is None:
            raise NotFound
        services.answer_proposal(
            post, party=party, citizen=request.user, answer=data.validated_data["answer"], request=request
        )
        return Response(_detail(online_session))


class PartyConfirmView(APIView):
    """我已阅读并确认: the party confirms the record whose SHA-256 they were shown."""

    @extend_schema(request=ConfirmInput, responses=ParticipantSerializer)
    def post(self, request, token: str):
        online_session, party = party_for_session_link(request.user, token)
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.confirm_session_record(
            online_session,
            party=party,
            citizen=request.user,
            record_sha256=data.validated_data["record_sha256"],
            request=request,
        )
        row = online_session.participants.select_related("party").get(pk=row.pk)
        return Response(_session_data(online_session, [row])["participants"][0])
