"""Charts people can read (issue 12, section 3), measured in Chromium at 1366 and 390 px.

On the demo's dashboard, its benchmark comparison and a published release (the company's and the
industry body's view), every text in every chart is at least 11 px as drawn (computed font size,
times the SVG's scale for SVG text), no name is cut ("…") or reaches past its cell, and every
chart has its scale (0 %, 50 % and 100 % shown at any width).
"""

import os

import pytest
from django.core.management import call_command

from keiretsu.demo.benchmark import BODY_EMAIL, BODY_PASSWORD
from keiretsu.demo.company import DEMO_EMAIL, DEMO_PASSWORD

from .test_phone import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
MIN_PX = 11

# Each chart on the page: its smallest text as drawn, the texts under 11 px, cut or overflowing
# names, and the scale's visible labels.
MEASURE = """() => {
  const charts = [...document.querySelectorAll("table.barchart, svg.chart, svg.bm-chart")];
  const hidden = e => e.closest(".visually-hidden, [hidden]") || getComputedStyle(e).display === "none";
  return charts.map(chart => {
    const sizes = [];
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || hidden(element) || element.closest("title")) continue;
      let size = parseFloat(getComputedStyle(element).fontSize);
      const svg = element.closest("svg");
      if (svg) size *= svg.getScreenCTM().a;  // SVG text is scaled with its drawing
      sizes.push([Math.round(size * 10) / 10, node.textContent.trim()]);
    }
    const names = [...chart.querySelectorAll("tbody th")];
    return {
      title: (chart.querySelector("caption, title") || {}).textContent || chart.className.baseVal || chart.className,
      min: Math.min(...sizes.map(s => s[0])),
      small: sizes.filter(s => s[0] < %(min)s).slice(0, 5),
      cut: sizes.filter(s => s[1].includes("…")).map(s => s[1]),
      overflowing: names.filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent),
      ticks: [...chart.querySelectorAll(".ticks span")].filter(s => !hidden(s)).map(s => s.textContent),
    };
  });
}""".replace("%(min)s", str(MIN_PX))


def chart_pages(page, base):
    """The dashboard, the comparison and a release, from the links a person follows."""
    page.goto(base + "/")
    dashboard = page.url[len(base):]
    org = dashboard.split("/")[2]
    page.goto(f"{base}/o/{org}/benchmark/")
    links = page.eval_on_selector_all(
        "a[href*='/benchmark/comparison/'], a[href*='/benchmark/releases/']", "links => links.map(a => a.pathname)")
    comparison = next(link for link in links if "/comparison/" in link)
    release = next(link for link in links if "/releases/" in link and link.rstrip("/").split("/")[-1].isdigit())
    return [dashboard, comparison, release]


def report_link_turns_busy_until_the_pdf_is_downloaded(page, dashboard):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(dashboard)
    link = page.locator("a.report-link").first
    label = link.inner_text()
    with page.expect_download() as download:
        link.click()
        assert link.get_attribute("aria-disabled") == "true"
        assert link.inner_text() == "レポートを作成中…"
    assert download.value.suggested_filename.endswith("_report.pdf")
    page.wait_for_function("() => !document.querySelector('a.report-link').hasAttribute('aria-disabled')")
    assert link.inner_text() == label


def without_script_a_page_says_the_report_is_being_made(page, dashboard):
    page.goto(dashboard)
    # The page that says the report is being made (its text: test_charts_and_layout.py) stays
    # while the browser waits for the PDF; its refresh may start before its own load event, so
    # both responses are awaited rather than the page's load (Playwright cannot read a page
    # that is navigating).
    with page.expect_response("**/report.pdf") as response:  # the refresh fetches the PDF
        with page.expect_response("**/report/") as making:
            page.click("a.report-link")
    assert making.value.status == 200 and making.value.headers["content-type"].startswith("text/html")
    assert response.value.status == 200 and response.value.headers["content-type"] == "application/pdf"


def test_every_chart_is_readable_at_1366_and_390_px(live_server, browser, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    for command in ("demo", "demo_benchmark"):
        call_command(command, verbosity=0)
    problems, measured = [], 0
    for email, password in ((DEMO_EMAIL, DEMO_PASSWORD), (BODY_EMAIL, BODY_PASSWORD)):
        context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, email, password)
        if email == DEMO_EMAIL:
            paths = chart_pages(page, live_server.url)
        else:
            page.goto(live_server.url + "/")
            org = page.url[len(live_server.url):].split("/")[2]
            page.goto(f"{live_server.url}/o/{org}/benchmark/")
            paths = [page.eval_on_selector("a[href*='/benchmark/releases/']", "a => a.pathname")]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                page.goto(live_server.url + path)
                charts = page.evaluate(MEASURE)
                if os.environ.get("KEIRETSU_SCREENSHOTS"):  # a folder: to look at the charts
                    name = f"{width}{path.replace('/', '-')}{email.split('@')[0]}.png"
                    page.screenshot(path=os.path.join(os.environ["KEIRETSU_SCREENSHOTS"], name), full_page=True)
                assert charts, f"no chart on {path}"
                for chart in charts:
                    measured += 1
                    where = f"{email} {width}px {path} {chart['title']!r}"
                    if chart["min"] < MIN_PX:
                        problems.append(f"{where}: text at {chart['min']} px: {chart['small']}")
                    if chart["cut"] or chart["overflowing"]:
                        problems.append(f"{where}: cut names {chart['cut']} {chart['overflowing']}")
                    if not {"0%", "50%", "100%"} <= set(chart["ticks"]):
                        problems.append(f"{where}: no scale ({chart['ticks']})")
        if email == DEMO_EMAIL:
            report_link_turns_busy_until_the_pdf_is_downloaded(page, live_server.url + paths[0])
        context.close()
        if email == DEMO_EMAIL:
            without_script = browser.new_context(locale="ja-JP", java_script_enabled=False)
            page = without_script.new_page()
            sign_in(page, live_server.url, email, password)
            without_script_a_page_says_the_report_is_being_made(page, live_server.url + paths[0])
            without_script.close()
    assert measured >= 12
    assert problems == []
