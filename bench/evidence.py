"""Uploading an evidence file (issue 11): a 5 MB PDF attached to an item of an assessment.

    uv run python bench/evidence.py            # SQLite (a temporary file), DEBUG off
    DATABASE_URL=postgres://... uv run python bench/evidence.py

Target: median <= 300 ms per upload of 5 MB, through the whole stack in-process (Django's test
client: middleware, the upload handler, the check of the file's kind from its content, the
private storage on disk, the audit). Prints medians, p90, the CPU time of each upload, the
query count and the machine's load. Not a test: nothing fails on a figure.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assessment import connection, destroy, prepare, settings  # sets up Django on a throw-away database

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = 20
SIZE = 5 * 1024 * 1024
TARGET_MS = 300


def five_megabyte_pdf() -> bytes:
    """A PDF header, 5 MB of page content, the end marker: a kind found from the content."""
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    filler = b"0 0 0 rg 10 10 100 100 re f\n" * (SIZE // 28)
    return (body + filler)[: SIZE - 6] + b"%%EOF\n"


def main():
    user, organisation, assessment, items = prepare()
    folder = tempfile.TemporaryDirectory()
    storages = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder.name}}}
    content = five_megabyte_pdf()
    with override_settings(STORAGES=storages):
        client = Client()
        client.force_login(user)
        times, cpu, queries = [], [], 0
        for n in range(RUNS + 1):
            item = items[n % len(items)]
            url = reverse("improvement:evidence_answer_add", args=[organisation.pk, assessment.pk, item.pk])
            upload = SimpleUploadedFile(f"規程_{n}.pdf", content, content_type="application/octet-stream")
            start, start_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = client.post(url, {"file": upload})
            assert response.status_code == 302, (response.status_code, response.content[:500])
            if n == 0:  # the first warms the process (imports, the catalogue in memory)
                queries = len(captured)
                continue
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        from keiretsu.improvement.models import Evidence

        # A refusal redirects too (with a message): every upload must have been kept.
        kept = Evidence.objects.filter(size=SIZE).count()
        assert kept == RUNS + 1, f"{kept} of {RUNS + 1} uploads kept"
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_MS else "OVER TARGET"
    print(f"database: {connection.vendor}; {RUNS} uploads of {SIZE / 1024 / 1024:.0f} MB (PDF), each to its own item")
    print(f"upload: median {median:.0f} ms, p90 {statistics.quantiles(times, n=10)[-1]:.0f} ms, "
          f"CPU median {statistics.median(cpu):.0f} ms, {queries} queries (target median <= {TARGET_MS} ms: {verdict})")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    folder.cleanup()


if __name__ == "__main__":
    try:
        main()
    finally:
        destroy()
