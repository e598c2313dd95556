"""Issue 12, section 3: charts people can read and a PDF without cut names or stray rows.

Names are never cut (no "…"), every chart has its scale, the text of a chart is never smaller
than 11 px (8.25 pt in the PDF), the PDF has its sign-off block, and a table breaks across pages
only with three rows or more on each side."""

import re
import subprocess

import pytest
from django.test import Client
from django.utils import translation

from keiretsu.conftest import client_for
from keiretsu.reports import charts, pdf, selectors
from keiretsu.reports.templatetags.reports import first_sentence

from .test_management_report import pdf_text, poppler

pytestmark = pytest.mark.django_db

LONG = "インシデントからの復旧と事業継続のための体制整備"  # longer than any line of a chart


def test_a_long_name_wraps_whole_over_lines():
    assert charts.wrap(LONG, 11) == ["インシデントからの復旧", "と事業継続のための体制", "整備"]
    assert "".join(charts.wrap(LONG, 11)) == LONG
    assert charts.wrap("Supply chain security and incident response", 16) == [
        "Supply chain", "security and", "incident", "response"]
    assert charts.wrap("5 短い", 11) == ["5 短い"]


def test_the_pdf_chart_geometry_keeps_names_and_draws_a_scale():
    chart = charts.bar_chart([charts.Bar(LONG, None), charts.Bar("2 取引先管理", 40, marker=50)])
    first, second = chart["rows"]
    assert first["full_label"] == first["label"] == LONG
    assert [line["text"] for line in first["lines"]] == charts.wrap(LONG, 11)
    assert (first["width_pct"], first["band"]) == (0, "none")
    assert (second["width_pct"], second["marker_pct"], second["band"]) == (40, 50, "low")
    # Rows grow with their lines: the second row starts below the three lines of the first.
    assert second["y"] > first["lines"][-1]["y"]
    assert [tick["value"] for tick in chart["ticks"]] == [0, 25, 50, 75, 100]
    assert chart["has_markers"]


def test_the_svg_chart_has_no_cut_name_and_text_of_11_px_at_its_own_size(django_db_setup):
    from django.template.loader import render_to_string

    chart = charts.bar_chart([charts.Bar(LONG, 50)])
    svg = render_to_string("reports/_bar_chart.svg", {"chart": chart, "title": "t"})
    assert "…" not in svg
    assert "".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)) == LONG
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1)
    view_width = re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1)
    assert float(width) == float(view_width)  # drawn at its own size: a unit is a pixel
    assert {float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)} == {11}
    assert re.findall(r'text-anchor="middle"[^>]*>(\d+)%</text>', svg) == ["0", "25", "50", "75", "100"]


def test_first_sentence_of_an_item():
    assert first_sentence("方針を定めること。ただし、以下を除く。") == "方針を定めること。"
    assert first_sentence("方針を定めること。") == "方針を定めること。"
    assert first_sentence("Set a policy. Review it yearly.") == "Set a policy."
    assert first_sentence("") == ""


def report_html(assessment):
    with translation.override("ja"):
        return pdf.report_html(selectors.management_report(assessment))


def test_the_report_cuts_no_name_and_draws_the_label_chart_as_a_table(factory_assessment):
    html = report_html(factory_assessment)
    assert "…" not in html
    structure = selectors.management_report(factory_assessment).structure
    names = [f"{s.code} {s.display_title}" for s in structure.top_sections]
    assert len(names) == 17
    chart = html[html.index('<table class="chart">'):]
    chart = chart[: chart.index("</table>")]
    assert re.findall(r'<th scope="row" class="chart-name">([^<]*)</th>', chart) == names
    assert '<th scope="col" class="chart-name">ラベル</th>' in chart
    assert re.findall(r'<span class="tick-\d+">(\d+)%</span>', chart) == ["0", "50", "100"]
    assert chart.count('class="grid g25"') == 17


def test_the_pdf_charts_text_is_at_least_11_px():
    """In the report's stylesheet, every font size in a chart's rule is 8.25 pt (11 px) or more."""
    css = pdf.STYLESHEET.read_text()
    sizes = re.findall(r"table\.chart[^{]*\{[^}]*font-size:\s*([\d.]+)pt", css)
    assert sizes and min(float(size) for size in sizes) >= 8.25
    body = float(re.search(r"html \{[^}]*font-size:\s*([\d.]+)pt", css).group(1))
    assert body >= 8.25  # the chart's names inherit it where no rule sets them


def test_the_pdf_has_a_sign_off_block_and_keeps_whole_names(factory_assessment, tmp_path):
    with translation.override("ja"):
        content = pdf.render_pdf(selectors.management_report(factory_assessment))
    first = pdf_text(content, tmp_path, 1)
    assert "承認欄" in first
    assert re.search(r"作成者\s+承認者\s+日付", first)
    assert "年 月 日" in re.sub(r"\s+", " ", first)
    assert "…" not in pdf_text(content, tmp_path)
    assert "17 バックアップ・復元(リ" in first and "ストア)" in first  # wrapped, not cut


def rows_per_page(content, tmp_path):
    """For each page of the details, the item rows it holds per label (from the text layer)."""
    path = tmp_path / "rows.pdf"
    path.write_bytes(content)
    pages = subprocess.run([poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True,
                           text=True).stdout.split("\f")
    return pages


def test_no_page_holds_a_stray_row_or_two(factory_assessment, owner, tmp_path):
    """Every label's table is either whole on a page or broken with three rows or more on each side."""
    report = selectors.management_report(factory_assessment)
    with translation.override("ja"):
        content = pdf.render_pdf(report)
    pages = rows_per_page(content, tmp_path)[1:]  # the details start on page two
    numbers = {group.section.code: [row.item.number for row in group.rows] for group in report.details}
    where = {}
    for index, page in enumerate(pages):
        for line in page.splitlines():
            match = re.match(r"\s*(\d+)\s*★?\s+\S", line)
            if match and not re.search(r"\(\d+/\d+\)", line):  # not a label's heading
                where.setdefault(match.group(1), index)
    for code, items in numbers.items():
        counts = {}
        for number in items:
            counts[where[number]] = counts.get(where[number], 0) + 1
        if len(counts) > 1:
            assert min(counts.values()) >= 3, (code, counts)


def test_the_report_link_says_the_report_is_being_made(factory_assessment, alice, mallory):
    org, pk = factory_assessment.organisation_id, factory_assessment.pk
    client = client_for(alice)
    dashboard = client.get(f"/o/{org}/").content.decode()
    making_url = f"/o/{org}/assessments/{pk}/report/"
    pdf_url = f"/o/{org}/assessments/{pk}/report.pdf"
    assert f'href="{making_url}" data-report-pdf="{pdf_url}?download=1"' in dashboard
    with translation.override("ja"):
        page = client.get(making_url, HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'<meta http-equiv="refresh" content="0; url={pdf_url}">' in text
    assert 'role="progressbar"' in text and f'href="{pdf_url}"' in text
    assert client_for(mallory).get(making_url).status_code == 404
    assert Client().get(making_url)["Location"].startswith("/accounts/login/")
