"""Exports of the benchmark: a release as a CSV file (one row per group and statistic; suppressed
cells are empty), from its stored statistics through selectors.release_view."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from keiretsu.catalogue.selectors import edition_structure
from keiretsu.lib.spreadsheets import csv_response

from .selectors import StoredStatistics, dimension_label, segment_label


def _text(value) -> str:
    """A cell Excel shows as text and never runs as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _status_note(status: str, k: int) -> str:
    if status == "below_k":
        return _("suppressed: fewer than %(k)s companies") % {"k": k}
    if status == "complementary":
        return _("suppressed: would reveal a smaller group")
    if status == "empty":
        return _("no submissions")
    return ""


def release_rows(release) -> list[list[str]]:
    """The release as a long table: one row per group and statistic. Suppressed cells are empty."""
    data = StoredStatistics.of(release)
    k = data.k
    edition = release.edition
    structure = edition_structure(edition)
    sections = {section.code: section.display_title for section in structure.sections}
    items = {item.number: item.short_text for item in structure.items}
    head = [
        release.round.fiscal_year,
        _text(release.round.body.name),
        _text(f"{edition.guideline.slug} {edition.code}"),
        release.version,
        release.get_status_display(),
    ]
    rows = [
        [
            _("Fiscal year"),
            _("Industry body"),
            _("Edition"),
            _("Release version"),
            _("Status"),
            _("Segment type"),
            _("Segment"),
            _("Statistic"),
            _("Code"),
            _("Title"),
            _("Companies (n)"),
            _("Mean %"),
            _("First quartile %"),
            _("Median %"),
            _("Third quartile %"),
            _("Share %"),
            _("Note"),
        ]
    ]

    def cell_row(segment_type, segment, statistic, code, title, figure):
        if figure.shown:
            values = [figure.n, figure.mean, figure.q1, figure.median, figure.q3, figure.share]
            values = ["" if v is None else v for v in values]
        else:
            values = [""] * 6
        return [
            *head,
            segment_type,
            _text(segment),
            statistic,
            _text(code),
            _text(title),
            *values,
            _status_note(figure.status, k),
        ]

    groups = [("all", _("All"), _("All companies"))]
    for dimension, values in data.segments:
        for value in values:
            groups.append(
                (data.segment_key(dimension, value), dimension_label(dimension), segment_label(dimension, value))
            )
    for key, segment_type, segment in groups:
        group = data.cell(key, ())
        rows.append(cell_row(segment_type, segment, _("Submissions"), "", "", group))
        if not group.shown:
            continue
        rows.append(
            cell_row(segment_type, segment, _("Achievement rate: overall"), "", "", data.cell(key, ("overall",)))
        )
        for code in data.levels:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: level"),
                    code,
                    edition.level_title(code),
                    data.cell(key, ("levels", code)),
                )
            )
        for code in data.sections:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: section"),
                    code,
                    sections.get(code, ""),
                    data.cell(key, ("sections", code)),
                )
            )
        if data.has_priority(key):
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Achievement rate: priority items"),
                    "",
                    "",
                    data.cell(key, ("priority",)),
                )
            )
        for code in data.levels:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Level attained"),
                    code,
                    edition.level_title(code),
                    data.cell(key, ("attained", code)),
                )
            )
        for number in data.items:
            rows.append(
                cell_row(
                    segment_type,
                    segment,
                    _("Item achieved"),
                    number,
                    items.get(number, ""),
                    data.cell(key, ("items", number)),
                )
            )
    return rows


def release_csv_response(release) -> HttpResponse:
    edition = release.edition
    name = f"benchmark-FY{release.round.fiscal_year}-{edition.guideline.slug}-{edition.code}-v{release.version}.csv"
    return csv_response(release_rows(release), name)
