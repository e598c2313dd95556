"""The headings of score figures: one wording per concept, the same in every CSV, the Excel
workbook and the PDF. A document that shows a score figure takes its heading from here."""

from django.utils.translation import pgettext_lazy

ITEMS = pgettext_lazy("score heading", "Items")
ANSWERED = pgettext_lazy("score heading", "Answered")
APPLICABLE = pgettext_lazy("score heading", "Applicable items")
ACHIEVED = pgettext_lazy("score heading", "Achieved items")
EXAMINED = pgettext_lazy("score heading", "Examined items")
ACHIEVEMENT_RATE = pgettext_lazy("score heading", "Achievement rate (%)")
EXAMINED_RATE = pgettext_lazy("score heading", "Examined rate (%)")
PRIORITY_ACHIEVEMENT_RATE = pgettext_lazy("score heading", "Priority items: achievement rate (%)")
LEVEL_ATTAINED = pgettext_lazy("score heading", "Level attained")

# The columns of one Rate, in the order the CSVs give them.
RATE_COLUMNS = (ITEMS, ANSWERED, APPLICABLE, ACHIEVED, EXAMINED, ACHIEVEMENT_RATE, EXAMINED_RATE)
