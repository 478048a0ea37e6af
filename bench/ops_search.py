"""Search operations (issue 20 item 5): a two-word Chinese query's first page and a case-number lookup for a
county supervisor, the similar cases of one case, what indexing adds to a registration and the sweep that
indexes the words of changed cases.

The index is filled by ``manage.py rebuild_search_index`` after ``generate_data`` (the generator writes cases
with COPY, past the services whose timeline hook indexes them)."""

from django.db import transaction
from django.urls import reverse

from bench.run import Env, operation, page
from cases.core.models import Case

TWO_WORDS = "拖欠 工资"

page(
    "search.two_words_page",
    "supervisor",
    lambda env: reverse("cases:search") + f"?q={TWO_WORDS}",
    target_ms=100,
)
page(
    "search.case_number_page",
    "supervisor",
    lambda env: reverse("cases:search") + f"?q={env.any_case.number}",
    target_ms=20,
)
page("search.api_two_words", "supervisor", lambda env: reverse("api-case-search") + f"?q={TWO_WORDS}")


@operation("search.two_words_selector", target_ms=100)
def two_words(env: Env):
    from search.selectors import search_cases

    return lambda: search_cases(env.supervisor, TWO_WORDS)


@operation("search.case_number_selector", target_ms=20)
def case_number(env: Env):
    from search.selectors import search_cases

    return lambda: search_cases(env.supervisor, env.any_case.number)


@operation("search.similar_cases", target_ms=80)
def similar(env: Env):
    from search.similar import similar_cases

    case = Case.objects.select_related("dispute_type").get(pk=env.any_case.pk)
    return lambda: similar_cases(env.supervisor, case)


@operation("search.index_on_registration", target_ms=3, writes=True)
def index_on_registration(env: Env):
    """What the RECORD_HOOKS hook adds to register_case: the new case's exact keys and its queued row, in a
    transaction of their own (so the op pays a commit that registration would share). The case's keys are
    deleted before each call (untimed), so each call inserts them as registration does; the words are the
    sweep's (``search.index_sweep_100``)."""
    from cases.core.models import Party, TimelineEvent
    from search.indexer import index_on_event
    from search.models import CaseKey, IndexQueue

    case = Case.objects.select_related("dispute_type", "center").get(
        pk=env.any_case.pk
    )  # as register_case holds it
    parties = list(Party.objects.filter(case=case).order_by("pk"))
    event = TimelineEvent(case=case, type="registered")
    mark = IndexQueue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def prepare():
        CaseKey.objects.filter(case=case).delete()
        case._registered_parties = parties  # as register_case hands them over

    def index():
        with transaction.atomic():
            index_on_event(case, event)

    def teardown():
        IndexQueue.objects.filter(pk__gt=mark, case=case).delete()  # its row is already indexed as it is

    return prepare, index, teardown


@operation("search.index_sweep_100", writes=True, repeat=10)
def index_sweep_100(env: Env):
    """The sweep's cost per 100 changed cases (issue 20: the words of a change within a minute): 100 of the
    county's newest cases queued (untimed), then ``index_pending`` segments and rewrites their rows and keys."""
    from search.indexer import index_pending
    from search.models import IndexQueue

    ids = list(Case.objects.filter(center=env.county).order_by("-pk").values_list("pk", flat=True)[:100])
    index_pending()  # whatever is queued already, untimed

    def prepare():
        IndexQueue.objects.bulk_create([IndexQueue(case_id=pk) for pk in ids])

    return prepare, index_pending


def _applicant(env: Env):
    from cases.core.models import Party

    party = (
        Party.objects.filter(case=env.any_case, role=Party.Role.APPLICANT).order_by("pk").first()
        or Party.objects.filter(case=env.any_case).order_by("pk").first()
    )
    if party is None:
        raise SystemExit("search: the benchmark case has no parties")
    return party


@operation("search.party_name_selector")
def party_name(env: Env):
    """A party's name (a common Chinese name matches cases all over the province; the supervisor sees the county's)."""
    from search.selectors import search_cases

    name = _applicant(env).name
    return lambda: search_cases(env.supervisor, name)


@operation("search.phone_selector")
def phone(env: Env):
    """A party's full mobile number: an exact key (search_casekey), then the visibility rule."""
    from search.selectors import search_cases

    number = _applicant(env).phone
    if not number:
        raise SystemExit("search: the benchmark case's applicant has no phone")
    return lambda: search_cases(env.supervisor, number)
