"""CSV of an assessment's answers and of scores, for Japanese Excel.

UTF-8 with a byte order mark (without it Japanese Excel reads the file as Shift_JIS and shows
garbage), CRLF line ends, every field through lib.spreadsheets (formula injection). Rates are
scoring.percent() exactly as the web page shows them ("66.7"), "－" when undefined.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keiretsu.lib import score_headings as headings
from keiretsu.lib.spreadsheets import csv_bytes
from keiretsu.programme.scoring import Rate, ScoreSummary, percent

from .selectors import AssessmentData

UNDEFINED = "－"


def _rate(value) -> str:
    return UNDEFINED if value is None else str(value)


def _symbol_label(scale, symbol):
    english = get_language() == "en"
    for s in scale.symbols:
        if s.symbol == symbol:
            return (english and s.label_en) or s.label
    return ""


def answers_csv(data: AssessmentData) -> bytes:
    assessment = data.assessment
    scale = assessment.edition.rating_scale
    sections = data.sections
    has_levels = bool(assessment.edition.level_codes)
    header = ["No.", _("Label code"), _("Label"), _("Level"), _("Priority"), _("Rating"), _("Rating meaning"),
              _("Reason"), _("Comment and evidence"), _("Updated by"), _("Updated at")]
    if not has_levels:
        header.remove(_("Level"))
    rows = [header]
    for item in data.structure.items:
        answer = data.answer(item)
        section = sections[item.section_id]
        rating = answer.rating if answer else ""
        row = [
            item.number, section.code, section.display_title, item.level, "★" if item.is_priority else "",
            rating, _symbol_label(scale, rating) if rating else "",
            answer.reason if answer else "", answer.comment if answer else "",
            (answer.updated_by.email if answer and answer.updated_by else ""),
            timezone.localtime(answer.updated_at).strftime("%Y-%m-%d %H:%M") if answer else "",
        ]
        if not has_levels:
            del row[3]
        rows.append(row)
    return csv_bytes(rows)


def _rate_columns(rate: Rate) -> list:
    return [rate.total, rate.answered, rate.applicable, rate.achieved, rate.examined,
            _rate(percent(rate.achievement)), _rate(percent(rate.examination))]


def _rate_headings() -> list[str]:
    return [str(heading) for heading in headings.RATE_COLUMNS]


def _attained_text(scores: ScoreSummary, edition) -> str:
    if not edition.level_codes:
        return ""
    return scores.level_attained or _("none")


def scores_csv(data: AssessmentData) -> bytes:
    """One row per scope of scoring: all items, priority items, each level, each label."""
    assessment = data.assessment
    edition = assessment.edition
    scores = data.scores
    rows = [[_("Kind"), _("Code"), _("Name"), *_rate_headings(), str(headings.LEVEL_ATTAINED)]]
    rows.append([_("All items"), "", str(edition), *_rate_columns(scores.overall), _attained_text(scores, edition)])
    if scores.priority.total:
        rows.append([_("Priority items"), "", "", *_rate_columns(scores.priority), ""])
    for code in edition.level_codes:
        rows.append([_("Level"), code, edition.level_title(code), *_rate_columns(scores.by_level.get(code, Rate())),
                     "✓" if scores.is_attained(code) else ""])
    for section in data.structure.sections:
        rows.append([_("Label"), section.code, section.display_title, *_rate_columns(scores.by_section.get(section.code, Rate())), ""])
    return csv_bytes(rows)


def organisation_scores_csv(entries) -> bytes:
    """The latest assessment of each scope and edition (the dashboard), one row each."""
    rows = [[_("Company name"), _("Corporate number"), _("Assessed"), _("Guideline"), _("Edition"), _("Fiscal year"),
             _("Revision"), _("Status"), str(headings.LEVEL_ATTAINED), *_rate_headings(),
             str(headings.PRIORITY_ACHIEVEMENT_RATE)]]
    for entry in entries:
        assessment, scores = entry.assessment, entry.scores
        edition = assessment.edition
        organisation = assessment.scope.organisation  # loaded with the scope
        rows.append([
            organisation.name, organisation.corporate_number, assessment.scope.display_name,
            edition.guideline.display_title, edition.display_title, assessment.fiscal_year, assessment.revision,
            assessment.get_status_display(), _attained_text(scores, edition), *_rate_columns(scores.overall),
            _rate(percent(scores.priority.achievement)) if scores.priority.total else "",
        ])
    return csv_bytes(rows)
