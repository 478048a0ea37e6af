"""``{{ obj|choice_label:"field" }}``: ``obj.get_<field>_display()`` for rows of a list.

``get_FOO_display`` rebuilds the dict of the field's choices on every call, translating every label
(a queue page of 20 cases spent ~370 ``gettext`` calls on two columns); here each field's labels
are translated once per language and process (the catalogs do not change while it runs).
"""

from django import template
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

register = template.Library()

_labels: dict[tuple, dict] = {}


def labels_of(model, field_name: str) -> dict:
    """The labels of a field's choices by value, in the active language (for rows read as plain values)."""
    field = model._meta.get_field(field_name)
    key = (field.model, field.name, get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {make_hashable(value): str(label) for value, label in field.flatchoices}
    return labels


@register.filter
def choice_label(obj, field_name: str):
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    return labels_of(obj, field_name).get(make_hashable(value), value)
