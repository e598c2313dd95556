"""The management report as a PDF (A4, Japanese fonts), rendered by WeasyPrint.

Japanese text needs a CJK font on the server: Noto Sans CJK JP (Debian's fonts-noto-cjk),
named in report.css. WeasyPrint embeds the glyphs used, so the PDF reads anywhere, and the
text stays text (selectable, searchable, extractable with pdftotext).
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import get_language

from keiretsu.lib import score_headings

from .charts import Bar, bar_chart
from .selectors import ManagementReport

STYLESHEET = Path(__file__).resolve().parent / "report.css"


def report_html(report: ManagementReport) -> str:
    label_chart = bar_chart([
        Bar(f"{line.section.code} {line.section.display_title}", line.percent, line.industry) for line in report.sections
    ])
    level_chart = bar_chart([Bar(line.code, line.percent, line.industry) for line in report.levels], label_width=60)
    return render_to_string(
        "reports/management_report.html",
        {
            "report": report,
            "assessment": report.assessment,
            "edition": report.edition,
            "scores": report.scores,
            "label_chart": label_chart,
            # The details table's columns: No., (level), item, rating, (last year's), reason and comment.
            "detail_columns": 4 + bool(report.edition.level_codes) + bool(report.change),
            "level_chart": level_chart,
            "headings": score_headings,
            "LANGUAGE_CODE": get_language(),
        },
    )


def render_pdf(report: ManagementReport) -> bytes:
    from weasyprint import CSS, HTML  # imported on first use: it takes a second to load

    return HTML(string=report_html(report)).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
