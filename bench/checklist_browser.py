"""The METI checklist (153 items, all answered) in a real browser (issue 12, section 6).

    uv run python bench/checklist_browser.py     # SQLite (a temporary file), DEBUG off

Serves the application on a free local port, opens the checklist in Debian's Chromium
(Playwright, headless, 1366 px, Japanese) and prints:
- DOMContentLoaded of the page (median of 15 loads; target <= 400 ms);
- a save's round trip: from clicking a rating to the saved answer and new scores shown on the
  page (median of 20 saves; target <= 100 ms).
The database is the one bench/assessment.py prepares. Figures are this machine's, under
whatever else it runs (the load average is printed). Not a test: nothing fails on a figure.
"""

import os
import shutil
import statistics
import threading

from assessment import connection, destroy, prepare, settings  # sets up Django on a throw-away database

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test import Client  # noqa: E402

LOADS = 15
SAVES = 20
DCL_TARGET_MS = 400
SAVE_TARGET_MS = 100
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    user, organisation, assessment, items = prepare()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    url = f"{base}/o/{organisation.pk}/assessments/{assessment.pk}/"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        page = context.new_page()
        page.goto(url)  # warm: static files cached, item texts rendered once
        loads, first_bytes, handlers = [], [], []
        for _ in range(LOADS):
            page.goto(url, wait_until="domcontentloaded")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd - n.startTime, n.responseStart - n.startTime,"
                " n.domContentLoadedEventEnd - n.domContentLoadedEventStart]; }")
            loads.append(timing[0])
            first_bytes.append(timing[1])
            handlers.append(timing[2])
        page.wait_for_load_state("load")
        assert page.locator("article.item").count() == len(items)

        target = items[10]
        saves = []
        for i in range(SAVES):
            symbol = ("○", "×")[i % 2]
            label = page.locator(f"#answer-{target.pk} label.rating", has_text=symbol)
            label.scroll_into_view_if_needed()
            saves.append(page.evaluate(
                """([pk, symbol]) => new Promise((resolve) => {
                    const start = performance.now();
                    document.addEventListener("keiretsu:saved", () => resolve(performance.now() - start), {once: true});
                    document.querySelector(`#answer-${pk} input[value="${symbol}"]`).click();
                })""", [target.pk, symbol]))
        checked = page.locator(f"#answer-{target.pk} input[type=radio]:checked").get_attribute("value")
        assert checked == ("○", "×")[(SAVES - 1) % 2]
        browser.close()
    server.shutdown()

    print(f"database: {connection.vendor}; METI checklist, {len(items)} items, all answered; Chromium, 1366 px, ja")
    report("DOMContentLoaded", loads, DCL_TARGET_MS)
    print(f"  of which: first byte from the server (median) {statistics.median(first_bytes):.0f} ms, "
          f"the page's own scripts at DOMContentLoaded {statistics.median(handlers):.0f} ms")
    report("save one answer, click to scores shown", saves, SAVE_TARGET_MS)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def report(label, times, target_ms):
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    verdict = "OK" if median <= target_ms else "OVER TARGET"
    print(f"{label}: median {median:.0f} ms, p90 {p90:.0f} ms over {len(times)} (target median <= {target_ms} ms: {verdict})")


if __name__ == "__main__":
    try:
        main()
    finally:
        destroy()
