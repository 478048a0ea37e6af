"""What the index holds, checked without waiting for its sweep: ``swept_at_once`` runs the sweep's work
(``index_queued_now``) right after each change's hook has queued its case, in the change's transaction, as if
the beat sweep came at once. The timing itself (keys at once, words after the sweep, nothing lost) is what
tests/search/test_index_sweep.py checks, without this fixture."""

import pytest

from cases.core.timeline import RECORD_HOOKS
from search.indexer import index_on_event, index_queued_now


@pytest.fixture
def swept_at_once():
    def hook(case, event):
        index_on_event(case, event)
        index_queued_now()

    def together(case, events):
        index_on_event.together(case, events)
        index_queued_now()

    hook.together = together
    at = RECORD_HOOKS.index(index_on_event)
    RECORD_HOOKS[at] = hook
    yield
    RECORD_HOOKS[at] = index_on_event
