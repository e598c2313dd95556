"""Speed of the management report (PDF) of the 153-item METI edition (issue 12, section 3).

    uv run python bench/report.py                 # SQLite (a temporary file), DEBUG off
    uv run python bench/report.py --out /tmp/r.pdf  # also keeps the PDF, to look at its pages
    DATABASE_URL=postgres://... uv run python bench/report.py

Target: the whole request (selectors, HTML, WeasyPrint) <= 2 s, median of a few runs, every
item answered with a reason or a comment on many of them. The first run also loads WeasyPrint
and its fonts (printed apart: a server process pays that once). Prints the split between the
HTML and the PDF, the page count and the machine's load (the figures are this machine's,
under whatever else it runs).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assessment import connection, destroy, prepare  # noqa: E402  (sets Django up)

RUNS = 5
TARGET_S = 2.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="write the PDF here")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()

    from django.test import Client

    from keiretsu.reports import pdf, selectors

    user, organisation, assessment, items = prepare()
    client = Client()
    client.force_login(user)
    url = f"/o/{organisation.pk}/assessments/{assessment.pk}/report.pdf"

    start = time.perf_counter()
    first = client.get(url)
    cold = time.perf_counter() - start
    assert first.status_code == 200 and first.content.startswith(b"%PDF-"), first.status_code

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200

    # Where the time goes: reading and HTML, then WeasyPrint.
    start = time.perf_counter()
    report = selectors.management_report(assessment)
    html = pdf.report_html(report)
    html_s = time.perf_counter() - start
    start = time.perf_counter()
    content = pdf.render_pdf(report)
    pdf_s = time.perf_counter() - start
    pages = content.count(b"/Type /Page\n") or content.count(b"/Type /Page") - content.count(b"/Type /Pages")

    if args.out:
        Path(args.out).write_bytes(response.content)
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_S else "OVER TARGET"
    print(f"database: {connection.vendor}; edition: {assessment.edition.guideline.slug} "
          f"{assessment.edition.code}, {len(items)} items, all answered")
    print(f"management report PDF (GET): median {median:.2f} s, max {max(times):.2f} s over {len(times)} runs "
          f"(target median <= {TARGET_S:.0f} s: {verdict}); first request {cold:.2f} s (loads WeasyPrint)")
    print(f"of which: selectors + HTML {html_s:.2f} s ({len(html) / 1024:.0f} KiB), WeasyPrint {pdf_s:.2f} s; "
          f"{pages} pages, {len(content) / 1024:.0f} KiB")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    try:
        main()
    finally:
        destroy()
