from io import StringIO

from django.core.management import call_command

from accounts.models import Center, Membership, User
from cases.models import Case, TimelineEvent


def test_demo_data_has_the_center_tree_every_role_and_is_loaded_once(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Center.objects.filter(level=Center.Level.COUNTY).count() == 1
    assert Center.objects.filter(level=Center.Level.TOWN).count() == 2
    assert Center.objects.filter(level=Center.Level.VILLAGE).count() == 4
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Membership.Role}
    assert User.objects.filter(kind=User.Kind.CITIZEN).exists()
    cases = Case.objects.count()
    assert cases > 0
    assert TimelineEvent.objects.filter(type__in=["registered", "submitted"]).count() == cases
    text = out.getvalue()
    assert "clerk" in text and "supervisor" in text and "Demo@" in text

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "跳过" in again.getvalue()
    assert Case.objects.count() == cases
