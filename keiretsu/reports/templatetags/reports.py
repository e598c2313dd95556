from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def signed_points(value):
    """A change of a percentage, in points: "+4.5 pt", "−2.0 pt", "±0.0 pt"; "－" when undefined."""
    if value is None:
        return "－"
    if value > 0:
        return _("+%(value)s pt") % {"value": value}
    if value < 0:
        return _("−%(value)s pt") % {"value": -value}
    return _("±%(value)s pt") % {"value": value}
