from django.urls import reverse

from cases.core import timeline

NOTE = timeline.EventType("test_note", "测试记录")


def test_long_timelines_show_the_newest_fifty_with_a_link_to_all(login, make_case, supervisor):
    case = make_case()
    for i in range(60):
        NOTE.record(case, actor=supervisor, data={"reason": f"第{i}条"})
    client = login(supervisor)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert html.count('data-event="test_note"') == 50
    assert "第59条" in html and "第5条" not in html
    assert 'data-testid="timeline-all"' in html
    full = client.get(reverse("cases:detail", args=[case.pk]), {"timeline": "all"}).content.decode()
    assert full.count('data-event="test_note"') == 60 and 'data-event="registered"' in full
    assert 'data-testid="timeline-all"' not in full
