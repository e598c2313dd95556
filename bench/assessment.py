"""Speed of the assessment page and of saving one answer (issues 2 and 12), on the server.

    uv run python bench/assessment.py            # SQLite (a temporary file), DEBUG off
    DATABASE_URL=postgres://... uv run python bench/assessment.py

Targets, for the 153-criterion METI edition fully answered: the page's HTML <= 150 KiB and its
median server time <= 50 ms (issue 12), saving one answer (htmx) <= 30 ms on SQLite. Prints
medians, p90, query counts, the HTML size and the machine's load (the figures are this
machine's, under whatever else it runs). Times are measured in-process through Django's test
client (the full middleware stack and template rendering, no network). The browser's side
(DOMContentLoaded, a save's round trip): bench/checklist_browser.py.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
os.environ.update(DEBUG="false", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", HTTPS="false", LOG_LEVEL="WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "keiretsu.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402

RUNS = 60
PAGE_TARGET_MS = 50
SAVE_TARGET_MS = 30
HTML_TARGET_KIB = 150


def prepare():
    """A throw-away database with the METI edition loaded and one assessment of it, every item
    answered: (user, organisation, assessment, items)."""
    # Through override_settings, so that storages already opened (evidence) are reset too.
    override_settings(STORAGES={**settings.STORAGES,
                                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    setup_test_environment()
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)  # a temporary file, made above
    else:
        # A throw-away database (DB_TEST_NAME, else test_<name>): never the real data.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    from keiretsu.accounts import services as account_services
    from keiretsu.accounts.models import Membership, Organisation, User
    from keiretsu.assessments import services
    from keiretsu.catalogue.models import Edition
    from keiretsu.catalogue.services import catalogue_load_files
    from keiretsu.lib.corporate_number import with_check_digit

    catalogue_load_files()
    edition = Edition.objects.get(guideline__slug="meti-scs")
    user = User.objects.filter(email="bench@example.com").first() or account_services.user_create(email="bench@example.com", password="x", verified=True)
    organisation = Organisation.objects.filter(name="Bench").first() or account_services.organisation_create(
        actor=user, name="Bench", corporate_number=with_check_digit("900000000009"),
        size_band="medium", business_type="parts", tier=1)
    membership = Membership.objects.get(user=user, organisation=organisation)
    assessment = organisation.assessments.filter(edition=edition).first() or services.assessment_create(
        membership=membership, actor=user, scope=organisation.company_scope, edition=edition, fiscal_year=2026)
    items = list(edition.items.order_by("position"))
    for i, item in enumerate(items):
        services.answer_save(membership=membership, actor=user, assessment=assessment, item=item,
                             rating=("○", "×", "－")[i % 3], comment="根拠: 規程第3条" if i % 4 == 0 else "")
    return user, organisation, assessment, items


def destroy():
    if connection.vendor != "sqlite":
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def main():
    user, organisation, assessment, items = prepare()
    edition = assessment.edition
    client = Client()
    client.force_login(user)
    page_url = f"/o/{organisation.pk}/assessments/{assessment.pk}/"
    response = client.get(page_url)
    assert response.status_code == 200 and response.content.count(b'class="item"') == 153

    page_times, page_cpu, page_queries = timed(lambda: client.get(page_url))
    target = items[10]
    answer_url = f"/o/{organisation.pk}/assessments/{assessment.pk}/items/{target.pk}/"
    ratings = iter(["○", "×"] * RUNS)
    save_times, save_cpu, save_queries = timed(
        lambda: client.post(answer_url, {"rating": next(ratings), "comment": "更新"}, HTTP_HX_REQUEST="true")
    )

    engine = connection.vendor
    print(f"database: {engine}; edition: {edition.guideline.slug} {edition.code}, {len(items)} items, all answered")
    report("assessment page (GET)", page_times, page_cpu, page_queries, PAGE_TARGET_MS)
    report("save one answer (htmx POST)", save_times, save_cpu, save_queries, SAVE_TARGET_MS)
    size = len(response.content) / 1024
    print(f"page HTML: {size:.1f} KiB (target <= {HTML_TARGET_KIB} KiB: {'OK' if size <= HTML_TARGET_KIB else 'OVER TARGET'})")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def timed(request):
    """Wall-clock times (ms), CPU times of this process (ms) and the query count of one request.
    The CPU time is what a request costs the machine whatever else runs on it: on a busy
    machine the wall clock mostly measures the waiting."""
    times, cpu = [], []
    with CaptureQueriesContext(connection) as queries:
        request()
    count = len(queries)
    for _ in range(RUNS):
        reset_queries()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = request()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return times, cpu, count


def report(label, times, cpu, queries, target_ms):
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    verdict = "OK" if median <= target_ms else "OVER TARGET"
    print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, CPU median {statistics.median(cpu):.1f} ms, "
          f"{queries} queries (target median <= {target_ms} ms: {verdict})")


if __name__ == "__main__":
    try:
        main()
    finally:
        destroy()
