from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from keiretsu.lib import charts
from keiretsu.programme.scoring import Rate, ScoreSummary

register = template.Library()

UNDEFINED = "－"  # a rate over no applicable item: never 0 % nor 100 %


@register.filter
def pct(value):
    """A percentage from scoring.percent(): "66.7%", or "－" when undefined."""
    if value is None:
        return UNDEFINED
    return f"{value}%"


@register.filter
def lacks_reason(answer, scale):
    """An answer whose rating needs a reason, without one (the scale says which: Scale.lacks_reason)."""
    return answer is not None and scale.lacks_reason(answer.rating, answer.reason)


@register.filter
def is_examined(rating, scale):
    """Is the rating examined (□ on the factory scale)? The scale says (Scale.is_examined)."""
    return scale.is_examined(rating or "")


@register.filter
def bar_width(value):
    """The width of a bar for a percentage (0 when undefined)."""
    return 0 if value is None else value


@register.filter
def band(value):
    """A colour band for a percentage: for charts and badges (lib.charts.band)."""
    return charts.band(value)


@dataclass
class LevelRow:
    code: str
    title: str
    rate: Rate
    attained: bool


@dataclass
class SectionRow:
    section: object
    rate: Rate


@register.simple_tag
def level_rows(scores: ScoreSummary, edition):
    return [
        LevelRow(code, edition.level_title(code), scores.by_level.get(code, Rate()), scores.is_attained(code))
        for code in edition.level_codes
    ]


@register.simple_tag
def section_rows(scores: ScoreSummary, structure, top_only=True):
    sections = structure.top_sections if top_only else structure.sections
    return [SectionRow(section, scores.by_section.get(section.code, Rate())) for section in sections]


@register.simple_tag
def level_attained_label(scores: ScoreSummary, edition):
    if not edition.level_codes:
        return ""
    if scores.level_attained is None:
        return _("%(level)s not attained") % {"level": edition.level_codes[0]}
    return _("%(level)s attained") % {"level": scores.level_attained}


@register.inclusion_tag("lib/bar_chart.html")
def section_chart(scores: ScoreSummary, structure, title=""):
    """The achievement rate per top-level section: a table whose rows carry their bar (a chart
    that screen readers read as the table it is)."""
    bars = []
    for row in section_rows(scores, structure):
        value = row.rate.achievement_percent
        bars.append({
            "label": f"{row.section.code} {row.section.display_title}",
            "width": charts.bar_length(value, 100),
            "value": value,
            "band": charts.band(value),
        })
    return {"bars": bars, "title": title}
