"""Every page of the demo fits a phone (issue 12, section 2).

The demo data (`keiretsu demo`, `demo_supplychain`, `demo_benchmark`), then each demo person
signed in on a 390 px wide Chromium walks every page it can reach by following links, from its
first screen: no page is wider than the screen (tables scroll inside their own box, the menu
collapses). Pages of the same kind (the same URL but for its ids) are opened twice at most.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from keiretsu.demo.benchmark import BODY_EMAIL, BODY_PASSWORD
from keiretsu.demo.company import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Not pages: files, the sign-out and language forms' targets, the admin.
SKIP = re.compile(r"(\.(pdf|xlsx|csv|json|svg|png)$|/(csv|xlsx|pdf)/$|/download|/export|/report/$|^/accounts/logout|^/i18n/|^/admin/|^/static/|^/api/)")
SAME_KIND_AT_MOST = 2


# The document's width, the screen's, and the innermost elements reaching past the screen.
WIDTH_AND_CULPRITS = """() => {
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1);
  const innermost = wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 3);
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ? "." + [...e.classList].join(".") : "");
  return [document.documentElement.scrollWidth, window.innerWidth,
          innermost.map(e => name(e.parentElement) + " > " + name(e) + " " + Math.round(e.getBoundingClientRect().right))];
}"""


def kind(path):
    return re.sub(r"/\d+(?=/)", "/N", path)


def walk(page, base):
    """The pages reachable from the first screen (path -> document width)."""
    page.goto(base + "/")
    start = urlsplit(page.url).path
    queue, seen, kinds, widths = deque([start]), {start}, {}, {}
    while queue:
        path = queue.popleft()
        try:
            response = page.goto(base + path)
        except PlaywrightError as exc:  # a file: not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        widths[path] = page.evaluate(WIDTH_AND_CULPRITS)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href)[0]
            if not href.startswith(base):
                continue
            target = href[len(base):] or "/"
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or SKIP.search(parts.path) or "page=" in parts.query:
                continue
            seen.add(target)
            if kinds.get(kind(parts.path), 0) >= SAME_KIND_AT_MOST:
                continue
            kinds[kind(parts.path)] = kinds.get(kind(parts.path), 0) + 1
            queue.append(target)
    return widths


def sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def test_every_page_of_the_demo_fits_a_390_px_phone(live_server, browser, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    for command in ("demo", "demo_supplychain", "demo_benchmark"):
        call_command(command, verbosity=0)
    too_wide = {}
    walked = 0
    for email, password in ((DEMO_EMAIL, DEMO_PASSWORD), (BODY_EMAIL, BODY_PASSWORD)):
        # Not emulating a mobile browser: it would zoom out to fit a page that is too wide.
        context = browser.new_context(locale="ja-JP", viewport=PHONE)
        page = context.new_page()
        sign_in(page, live_server.url, email, password)
        widths = walk(page, live_server.url)
        walked += len(widths)
        too_wide.update({f"{email} {path}": (width, culprits) for path, (width, screen, culprits) in widths.items()
                         if width > PHONE["width"] or screen != PHONE["width"]})
        context.close()
    assert walked > 40
    assert too_wide == {}, f"pages wider than a 390 px phone: {too_wide}"
