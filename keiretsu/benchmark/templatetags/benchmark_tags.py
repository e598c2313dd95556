from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell_note(status, k=None):
    """Why a release cell shows no figure."""
    if status == "below_k":
        return _("not shown: fewer than %(k)s companies") % {"k": k} if k else _("not shown: too few companies")
    if status == "complementary":
        return _("not shown: it would reveal a smaller group")
    if status == "empty":
        return _("no submissions")
    return ""


@register.filter
def signed(value):
    """A change in percentage points: "+3.2", "−1.0", "±0.0"; "－" when undefined."""
    if value is None:
        return "－"
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "±0.0"


@register.inclusion_tag("benchmark/charts/bars.html")
def bar_chart(chart):
    return {"chart": chart}


@register.inclusion_tag("benchmark/charts/box.html")
def box_chart(chart):
    return {"chart": chart}


@register.filter
def active_count(counts, edition_id):
    """counts|active_count:edition.pk: how many companies have a counted submission of that edition."""
    return counts.get((edition_id, "active"), 0)
