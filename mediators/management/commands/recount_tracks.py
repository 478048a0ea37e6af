"""``manage.py recount_tracks``: compare the recommendation's summaries with the cases and repair them."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Recount every mediator's open cases and track record (mediators/tracks.py) from the cases, rewrite the "
        "rows that differ and print how many did."
    )

    def handle(self, *args, **options):
        from mediators.tracks import recount_tracks

        self.stdout.write(json.dumps(recount_tracks()))
