"""Words Django writes itself (the `timeuntil` filter: 「残り1か月と4週間」), listed here so that
`scripts/messages` keeps their Japanese in keiretsu/lib's catalogue, which takes precedence
over Django's own: Django's Japanese joins durations with an English comma (「1ヶ月, 4週間」);
docs/glossary.md writes 「1か月と4週間」. Nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

DURATION_WORDS = [
    gettext_noop(", "),  # between the parts of a duration
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
