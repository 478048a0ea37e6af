"""The kit's look for any form field, used by ``templates/partials/field.html``: the widget gets Bootstrap's
class (form-control, form-select, form-check-input) and ``is-invalid`` when the field has an error, so no form
needs to know about the UI kit and our own CSS needs no rules for bare inputs."""

from django import forms, template

register = template.Library()

CHOICES = (forms.RadioSelect, forms.CheckboxSelectMultiple)
SELECTS = (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)


@register.filter
def kit_kind(bound_field) -> str:
    """How the partial lays the field out: ``hidden``, ``check`` (one checkbox), ``choices`` (radios or
    checkboxes in a fieldset) or ``input``."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, CHOICES):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    return "input"


def _classes(bound_field, css: str) -> str:
    classes = bound_field.field.widget.attrs.get("class", "").split()
    if css not in classes:
        classes.append(css)
    if bound_field.errors:
        classes.append("is-invalid")
    return " ".join(classes)


@register.filter
def kit(bound_field):
    """The field's widget rendered with the kit's classes (Django adds aria-invalid and aria-describedby)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, SELECTS):
        css = "form-select"
    else:
        css = "form-control"
    return bound_field.as_widget(attrs={"class": _classes(bound_field, css)})


@register.filter
def kit_choices(bound_field) -> list:
    """The radios or checkboxes of a choice field, each with the kit's class, to sit beside their labels."""
    widget = bound_field.field.widget
    attrs = {"class": _classes(bound_field, "form-check-input")}
    id_ = widget.attrs.get("id") or bound_field.auto_id
    if id_:
        attrs["id"] = id_
    attrs = bound_field.build_widget_attrs(attrs)
    return [
        forms.boundfield.BoundWidget(widget, sub, bound_field.form.renderer)
        for sub in widget.subwidgets(bound_field.html_name, bound_field.value(), attrs=attrs)
    ]
