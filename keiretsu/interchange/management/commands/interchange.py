import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation

from keiretsu.accounts.models import Membership, User
from keiretsu.assessments.selectors import assessment_for
from keiretsu.interchange import checksheet_export, selectors
from keiretsu.interchange.ingest import checksheet_paths, ingest_all
from keiretsu.lib.downloads import file_name


class Command(BaseCommand):
    help = "Excel checksheets: ingest filled checksheets (files or folders), export an assessment's checksheet."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        ingest = actions.add_parser("import", help="Import filled checksheets exported by Keiretsu.")
        ingest.add_argument("paths", nargs="+", help=".xlsx files, or folders (every .xlsx under them).")
        ingest.add_argument("--as", dest="email", required=True, help="The member in whose name the answers are written.")
        ingest.add_argument("--submit", action="store_true", help="Submit each assessment after the import (owners only).")
        ingest.add_argument("--dry-run", action="store_true", help="Check every file and report; change nothing.")
        ingest.add_argument(
            "--jobs", type=int, default=1,
            help="Files handled in parallel, one process each (e.g. the number of CPU cores; PostgreSQL only).",
        )
        export = actions.add_parser("export", help="Write an assessment's checksheet.")
        export.add_argument("assessment", type=int, help="Assessment id.")
        export.add_argument("--as", dest="email", required=True, help="A member of the assessment's organisation.")
        export.add_argument("-o", "--output", default="", help="File to write (default: a name from the assessment).")

    def handle(self, *args, action, email, **options):
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email!r}.")
        with translation.override("ja"):
            if action == "import":
                return self.ingest(
                    user, options["paths"], submit=options["submit"], dry_run=options["dry_run"], jobs=options["jobs"]
                )
            return self.export(user, options["assessment"], options["output"])

    def ingest(self, user, paths, *, submit, dry_run, jobs):
        files = checksheet_paths(paths)
        if not files:
            raise CommandError("No Excel file (.xlsx) found.")
        if jobs > 1 and connection.vendor == "sqlite":
            jobs = 1  # SQLite takes one writer at a time
        started = time.perf_counter()
        failed = 0
        for outcome in ingest_all(user, files, submit=submit, dry_run=dry_run, jobs=jobs):
            path = outcome.path
            if outcome.ok:
                counts = outcome.counts
                state = " (started)" if outcome.created else ""
                state += " submitted" if outcome.submitted else ""
                self.stdout.write(
                    f"ok      {path}: {outcome.assessment}{state}: {counts.get('items', 0)} items, "
                    f"{counts.get('new', 0)} added, {counts.get('changed', 0)} changed, {counts.get('cleared', 0)} removed, "
                    f"{counts.get('text_only', 0)} reason/comment, {counts.get('unchanged', 0)} unchanged"
                )
            else:
                failed += 1
                self.stdout.write(f"refused {path}: {outcome.message}")
                for problem in outcome.problems[:50]:
                    self.stdout.write(f"          {problem}")
                if len(outcome.problems) > 50:
                    self.stdout.write(f"          … and {len(outcome.problems) - 50} more")
        elapsed = time.perf_counter() - started
        verb = "checked (dry run, nothing written)" if dry_run else "imported"
        self.stdout.write(f"{len(files) - failed} of {len(files)} files {verb}, {failed} refused, in {elapsed:.1f} s.")
        if failed:
            raise CommandError(f"{failed} files were refused; the others were {verb}.")

    def export(self, user, assessment_id, output):
        membership = Membership.objects.select_related("organisation").filter(
            user=user, organisation__assessments__pk=assessment_id
        ).first()
        if membership is None:
            raise CommandError(f"No assessment {assessment_id} in an organisation of {user}.")
        assessment = assessment_for(membership, assessment_id)
        content = checksheet_export.export_checksheet(selectors.assessment_data(assessment))
        path = Path(output or file_name(assessment))
        path.write_bytes(content)
        self.stdout.write(f"{path}: {len(content)} bytes")
