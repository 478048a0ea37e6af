"""Search operations (issue 20 item 5): a two-word Chinese query's first page and a case-number lookup for a
county supervisor, the similar cases of one case, and what indexing adds to a registration.

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
    """What the RECORD_HOOKS hook adds to register_case: segment and write one new case's row and keys."""
    from search.indexer import index_cases

    case = Case.objects.select_related("dispute_type", "center").get(pk=env.any_case.pk)  # as register_case holds it

    def index():
        with transaction.atomic():
            return index_cases([case.pk], first=True, loaded=case)

    return index


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
