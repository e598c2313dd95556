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


@register.simple_tag
def item_changes(changes, with_ratings=False, limit=12):
    """"No.3, No.4" (in Japanese "No.3、No.4"), with "(○→×)" when asked, "…" past the limit; the
    sentence around it, with its full stop, is the template's."""
    if not changes:
        return ""
    parts = []
    for change in changes[:limit]:
        part = f"No.{change.item.number}"
        if with_ratings:
            part += _("(%(before)s→%(after)s)") % {"before": change.before, "after": change.after or _("not answered")}
        parts.append(part)
    listed = _(", ").join(parts)
    if len(changes) > limit:
        listed += _(" …")
    return listed


@register.filter
def first_sentence(text):
    """An item's text up to its first full stop (「。」 or ". "): its requirement, whole, without the
    conditions and lists that follow; the details pages print the rest."""
    text = text or ""
    for stop in ("。", ". "):
        end = text.find(stop)
        if 0 < end < len(text) - len(stop):
            return text[: end + len(stop)].strip()
    return text
