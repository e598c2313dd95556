"""Japanese fiscal years run from 1 April to 31 March; FY2026 starts on 1 April 2026."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def fiscal_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(fiscal_year: int) -> str:
    """「2026年度」 in Japanese, "FY2026" in English (docs/glossary.md)."""
    return _("FY%(year)s") % {"year": fiscal_year}


def separator() -> str:
    """Between names on one line: 「・」 in Japanese, " · " in English (docs/glossary.md)."""
    return pgettext("list separator", " · ")


def bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(fiscal_year, 4, 1), datetime.date(fiscal_year + 1, 3, 31)
