"""Speed of the exchanged documents (issue 5).

    uv run python bench/interchange.py                 # SQLite (a temporary file)
    DATABASE_URL=postgres://... uv run python bench/interchange.py   # a scratch database
                                                       # <name>_bench, dropped at the end

Targets, on the enterprise edition (153 items, imported from a generated official checksheet):
  export of a fully answered assessment as a checksheet    <= 0.2 s
  import of one filled checksheet (check, preview, write)  <= 0.1 s
  1,000 filled checksheets through `keiretsu interchange import`  <= 60 s
  the management PDF                                       <= 3 s
Prints each figure (median of several runs where it is cheap to repeat) with its target.
"""

import io
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
os.environ.update(DEBUG="false", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", HTTPS="false")
os.environ["DJANGO_SETTINGS_MODULE"] = "keiretsu.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

FY = 2026
FILES = int(os.environ.get("BENCH_FILES", "1000"))
VARIANTS = 25
JOBS = int(os.environ.get("BENCH_JOBS", os.cpu_count() or 1))


def timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def line(label, seconds, target, extra=""):
    verdict = "ok" if seconds <= target else "SLOWER THAN TARGET"
    print(f"{label:<58} {seconds * 1000:9.1f} ms   (target {target * 1000:.0f} ms) {verdict}{extra}")


def main():
    scratch = connection.vendor == "postgresql"
    if scratch:
        # A database of its own, never the one DATABASE_URL names.
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0, interactive=False)
    try:
        with translation.override("ja"):
            run()
    finally:
        if scratch:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def run():
    from keiretsu.accounts import services as account_services
    from keiretsu.accounts.models import Membership, User
    from keiretsu.assessments import services as assessment_services
    from keiretsu.catalogue.services import catalogue_load_files, edition_load
    from keiretsu.interchange import official, services
    from keiretsu.interchange.checksheet_export import export_checksheet
    from keiretsu.interchange.selectors import assessment_data
    from keiretsu.interchange.tests import samples
    from keiretsu.lib.corporate_number import with_check_digit
    from keiretsu.reports import pdf
    from keiretsu.reports import selectors as report_selectors

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    catalogue_load_files()
    preview = official.read_official_checksheet(
        samples.official_checksheet("merged"), file_name="bench.xlsx", guideline="jama-enterprise", edition="2.3"
    )
    edition = edition_load(spec=preview.spec).edition
    items = list(edition.items.order_by("position"))
    user = account_services.user_create(email="bench@example.com", password="bench-password", verified=True)
    rng = random.Random(2026)

    def company(n):
        organisation = account_services.organisation_create(
            actor=user, name=f"ベンチ部品工業 {n:04d}", corporate_number=with_check_digit(f"9{n:011d}"),
            size_band="medium", business_type="parts", tier=2,
        )
        return organisation, Membership.objects.get(user=user, organisation=organisation)

    def start(organisation, membership):
        return assessment_services.assessment_create(
            membership=membership, actor=user, scope=organisation.company_scope, edition=edition, fiscal_year=FY
        )

    def answers():
        result = {}
        for item in items:
            rating = rng.choice(["○", "○", "○", "×", "－"])
            result[item.number] = (rating, "", "対策済み: 規程第3条" if rating == "○" and rng.random() < 0.3 else "")
        return result

    # A fully answered assessment.
    organisation, membership = company(0)
    full = start(organisation, membership)
    for number, (rating, reason, comment) in answers().items():
        assessment_services.answer_save(membership=membership, actor=user, assessment=full,
                                        item=edition.items.get(number=number), rating=rating, comment=comment)
    full = type(full).objects.select_related("scope__organisation", "scope__parent", "edition__guideline", "organisation").get(pk=full.pk)

    # 1. Export.
    median, worst, content = timed(lambda: export_checksheet(assessment_data(full)), 15)
    line("export a 153-item assessment as a checksheet (.xlsx)", median, 0.2, f"  max {worst * 1000:.0f} ms, {len(content) // 1024} KB")

    # 2. Import of one filled checksheet into a fresh assessment: check + preview, then write.
    template = export_checksheet(assessment_data(full))
    filled = samples.fill_checksheet(template, answers())
    prepares, applies, totals = [], [], []
    for n in range(1, 8):
        organisation, membership = company(n)
        target = start(organisation, membership)
        started = time.perf_counter()
        pending = services.checksheet_import_prepare(
            membership=membership, actor=user, assessment=target, data=filled, file_name="filled.xlsx"
        )
        middle = time.perf_counter()
        result = services.checksheet_import_apply(membership=membership, actor=user, pending=pending)
        done = time.perf_counter()
        assert result.changed == 153
        prepares.append(middle - started)
        applies.append(done - middle)
        totals.append(done - started)
    line("import one filled checksheet: check the whole file + preview", statistics.median(prepares), 0.1)
    line("import one filled checksheet: write 153 answers + audit", statistics.median(applies), 0.1)
    line("import one filled checksheet: both", statistics.median(totals), 0.1)

    # 3. 1,000 e-mailed checksheets through the command line.
    print(f"preparing {FILES} organisations and filled checksheets (not timed) ...", flush=True)
    variants = [samples.fill_checksheet(template, answers()) for _ in range(VARIANTS)]
    inbox = Path(tmp.name) / "inbox"
    inbox.mkdir()
    template_number = full.organisation.corporate_number.encode()
    for n in range(100, 100 + FILES):
        organisation, _membership = company(n)
        (inbox / f"{n:04d}.xlsx").write_bytes(
            for_company(variants[n % VARIANTS], template_number, organisation.corporate_number.encode())
        )
    out = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    jobs = JOBS if connection.vendor == "postgresql" else 1
    call_command("interchange", "import", str(inbox), "--as", user.email, "--jobs", str(jobs), stdout=out)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    summary = out.getvalue().strip().splitlines()[-1]
    line(f"{FILES} filled checksheets via `keiretsu interchange import --jobs {jobs}`", elapsed, 60.0,
         f"  ({elapsed / FILES * 1000:.1f} ms per file, {cpu / FILES * 1000:.1f} ms of it in the main process; {summary})")

    if os.environ.get("BENCH_SKIP_PDF"):
        return
    # 4. The management PDF (the first one includes loading WeasyPrint and the fonts).
    started = time.perf_counter()
    document = pdf.render_pdf(report_selectors.management_report(full))
    first = time.perf_counter() - started
    median, worst, document = timed(lambda: pdf.render_pdf(report_selectors.management_report(full)), 3)
    line("management report PDF, 153 items", median, 3.0, f"  (first in the process {first:.2f} s, max {worst:.2f} s, {len(document) // 1024} KB)")


def for_company(data: bytes, old: bytes, new: bytes) -> bytes:
    """The same filled checksheet as another company's: its hidden sheet names the company."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet4.xml":
                part = part.replace(b"<t>" + old + b"</t>", b"<t>" + new + b"</t>")
            target.writestr(info, part)
    return out.getvalue()


if __name__ == "__main__":
    main()
