from django import template

register = template.Library()


@register.filter
def count_of(counts, key: str):
    """The badge's number for a navigation entry: ``{{ work_counts|count_of:item.count }}`` (None: no badge)."""
    if not counts or not key:
        return None
    return counts.get(key)
