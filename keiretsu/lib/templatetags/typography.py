"""`{% sep %}`: the separator between names on one line, as each language writes it
(docs/glossary.md): 「・」 in Japanese, " · " in English. A builtin (settings.TEMPLATES), so
every template has it without `{% load %}`."""

from django import template

from keiretsu.lib.fiscal_year import separator

register = template.Library()


@register.simple_tag
def sep():
    return separator()
