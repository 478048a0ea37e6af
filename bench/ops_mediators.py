"""The mediator library's operations (issue 18): recommendation for a case, the measures for a county."""

from django.urls import reverse
from django.utils import timezone

from bench.run import Env, operation, page


def _profiles() -> None:
    from bench.generate.mediators import generate_profiles

    generate_profiles()  # idempotent: a database generated before the library gets its profiles once


@operation("mediators.recommend", target_ms=50)
def recommend(env: Env):
    from cases.core.models import Case
    from mediators.ranking import recommend_groups, recommend_mediators

    _profiles()

    def call():
        case = Case.objects.select_related("center", "dispute_type", "channel").get(pk=env.any_case.pk)
        return recommend_mediators(case), recommend_groups(case)

    return call


@operation("mediators.measures_county", target_ms=300)
def measures_county(env: Env):
    from datetime import timedelta

    from mediators.measures import measures_for

    _profiles()
    today = timezone.localdate()
    return lambda: measures_for(env.supervisor, today - timedelta(days=364), today)


page(
    "mediators.recommend_page",
    "supervisor",
    lambda env: reverse("mediators:recommend", args=[env.any_case.pk]),
    target_ms=50,
)
page("mediators.measures_page", "supervisor", lambda env: reverse("mediators:measures"), target_ms=300)
page("mediators.directory", None, lambda env: reverse("mediators:directory"))


@operation("mediators.refresh_100_marked", target_ms=500, writes=True)
def refresh_marked(env: Env):
    """The sweep's refresh of the recommendation's summaries (mediators/tracks.py) for 100 marked mediators,
    the busiest by lead assignments (a mark per mediator, as after a day of changes in a county)."""
    from django.db.models import Count

    from mediators.models import TrackMark
    from mediators.tracks import refresh_tracks
    from routing.models import CaseAssignment

    busiest = list(
        CaseAssignment.objects.filter(is_lead=True, case__center__path__startswith=env.county.path)
        .values("mediator_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("mediator_id", flat=True)[:100]
    )

    def prepare():
        TrackMark.objects.bulk_create([TrackMark(mediator_id=m) for m in busiest])

    def call():
        return refresh_tracks()

    return prepare, call
