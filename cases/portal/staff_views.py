"""Staff side of the portal: answering consultations, the counter's appointments, the case
conversation and the parties' identity checks on the case page and the supervisor's bad-rating follow-up."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import roles_of
from cases.core.access import get_case_for_user, may_verify_identity
from cases.core.services import verify_party_identity
from cases.portal import forms, selectors, services
from cases.portal.models import Appointment, HomeVisitRequest
from mediation_center.service_calls import call_service


def _require_role(user, roles) -> None:
    if not roles_of(user).has(*roles):
        raise PermissionDenied


def _one(queryset, **lookup):
    item = queryset.filter(**lookup).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_GET
def consultations(request):
    _require_role(request.user, selectors.CONSULTATION_READERS)
    items = selectors.consultations_for_staff(request.user)
    if request.GET.get("show") != "all":
        items = items.filter(answered_at__isnull=True)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    can_answer = roles_of(request.user).has(*selectors.CONSULTATION_ANSWERERS)
    return render(
        request,
        "cases/portal/staff/consultations.html",
        {
            "page": page,
            "show": request.GET.get("show", ""),
            "can_answer": can_answer,
            "form": forms.AnswerForm(),
        },
    )


@login_required
@require_POST
def answer(request, token: str):
    item = _one(selectors.consultations_for_staff(request.user), token=token)
    if (
        not selectors.consultations_for_staff(request.user, *selectors.CONSULTATION_ANSWERERS)
        .filter(pk=item.pk)
        .exists()
    ):
        raise PermissionDenied
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        services.answer_consultation(item, actor=request.user, answer=form.cleaned_data["answer"])
        messages.success(request, _("已答复。"))
    else:
        messages.error(request, _("请填写答复内容。"))
    return redirect("portal:staff_consultations")


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def counter(request):
    """The day's appointments at the counter (窗口预约), and open home-visit requests."""
    _require_role(request.user, selectors.COUNTER_READERS)
    day = _day(request)
    can_write = roles_of(request.user).has(*selectors.COUNTER_WRITERS)
    return render(
        request,
        "cases/portal/staff/counter.html",
        {
            "day": day,
            "appointments": selectors.appointments_for_counter(request.user, day),
            "home_visits": selectors.home_visits_for_counter(request.user),
            "can_write": can_write,
        },
    )


def _writable(request, readers_qs, writers_qs, token):
    item = _one(readers_qs, token=token)
    if not writers_qs.filter(pk=item.pk).exists():
        raise PermissionDenied
    return item


@login_required
@require_POST
def attended(request, token: str):
    user = request.user
    appointment = _writable(
        request,
        selectors.appointments_for_staff(user),
        selectors.appointments_for_staff(user, *selectors.COUNTER_WRITERS),
        token,
    )
    call_service(
        request,
        lambda: services.update_appointment(appointment, actor=user, state=Appointment.State.ATTENDED),
        success=_("已标记为到访：%(name)s。") % {"name": appointment.name},
    )
    return redirect(f"{reverse('portal:staff_counter')}?date={appointment.slot.date.isoformat()}")


@login_required
@require_POST
def home_visit_update(request, token: str):
    user = request.user
    visit = _writable(
        request,
        selectors.home_visits_for_counter(user),
        selectors.home_visits_for_counter(user, *selectors.COUNTER_WRITERS),
        token,
    )
    state = request.POST.get("state", "")
    if state not in HomeVisitRequest.State.values:
        messages.error(request, _("无效的操作。"))
    else:
        call_service(
            request,
            lambda: services.update_home_visit(visit, actor=user, state=state),
            success=_("上门服务申请已更新。"),
        )
    return redirect("portal:staff_counter")


@login_required
@require_POST
def case_message(request, pk: int):
    """A mediator answers in the case conversation from the case page."""
    case = get_case_for_user(request.user, pk, write=True)
    form = forms.MessageForm(request.POST, request.FILES)
    if form.is_valid():
        call_service(
            request,
            lambda: services.post_case_message(
                case, actor=request.user, body=form.cleaned_data["body"], upload=form.cleaned_data["file"]
            ),
            success=_("留言已发送。"),
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#conversation")


@login_required
@require_POST
def verify_identity(request, pk: int, party_pk: int):
    """核验身份: a clerk of the case's center saw the party's ID document in person."""
    case = get_case_for_user(request.user, pk)
    party = _one(case.parties.all(), pk=party_pk)
    if not may_verify_identity(request.user, case):
        raise PermissionDenied
    form = forms.IdentityCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        call_service(
            request,
            lambda: verify_party_identity(party, actor=request.user),
            success=_("已核验 %(name)s 的身份。") % {"name": party.name},
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#identity")


@login_required
@require_GET
def ratings(request):
    """Ratings for the supervisor: the satisfaction rate and the bad ones to follow up."""
    _require_role(request.user, selectors.RATING_READERS)
    all_ratings = selectors.ratings_for_supervisor(request.user)
    flagged = all_ratings.filter(flagged=True)
    if request.GET.get("show") != "all":
        flagged = flagged.filter(followed_up_at__isnull=True)
    page = Paginator(flagged, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/portal/staff/ratings.html",
        {
            "page": page,
            "summary": selectors.satisfaction_summary(all_ratings),
            "show": request.GET.get("show", ""),
            "form": forms.FollowUpForm(),
        },
    )


@login_required
@require_POST
def follow_up(request, pk: int):
    rating = _one(selectors.ratings_for_supervisor(request.user), pk=pk)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        call_service(
            request,
            lambda: services.follow_up_rating(rating, actor=request.user, note=form.cleaned_data["note"]),
            success=_("已记录跟进情况。"),
        )
    else:
        messages.error(request, _("请填写跟进情况。"))
    return redirect("portal:staff_ratings")
