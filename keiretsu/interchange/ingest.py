"""Filled checksheets received by e-mail, ingested from the command line.

Each file says (in its hidden sheet) which company, scope, edition and fiscal year it is for.
The person running the command (--as) must be a member of that company who may answer; the
file goes into that scope's assessment for the year (started if there is none, refused if it
is submitted), through the same service as the web import (services.checksheet_ingest), and
is submitted too with --submit. Each file is one transaction: a bad file changes nothing and
does not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from keiretsu.accounts.models import Membership, Organisation, Scope
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition, Item

from . import services
from .checksheet_import import Problem, read_metadata, read_open_checksheet
from .workbooks import MACRO_SUFFIXES, Workbook, WorkbookRefused, read_limited


@dataclass
class Outcome:
    """What happened to one file (plain data: it comes back from a worker process)."""

    path: Path
    ok: bool
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    assessment: str = ""  # the assessment, as a person reads it
    counts: dict = field(default_factory=dict)
    created: bool = False
    submitted: bool = False


class _Refused(Exception):
    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message, self.problems = message, list(problems)


# Under a folder: the .xlsx files, and the Excel files that are refused with their reason
# (macro and binary workbooks, old .xls) rather than passed over in silence.
FOLDER_SUFFIXES = {".xlsx", ".xls", *MACRO_SUFFIXES}


def checksheet_paths(paths) -> list[Path]:
    """Files as given, and the Excel files under any directory given, in name order."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in FOLDER_SUFFIXES and p.is_file() and not p.name.startswith("~$")
            ))
        else:
            found.append(path)
    return found


class Ingestor:
    def __init__(self, user, *, submit=False, dry_run=False):
        self.user = user
        self.submit = submit
        self.dry_run = dry_run
        self._editions: dict[tuple[str, str], tuple[Edition, list[Item]]] = {}

    def ingest(self, path: Path) -> Outcome:
        outcome = Outcome(path=path, ok=False)
        try:
            self._ingest(path, outcome)
        except _Refused as exc:
            outcome.message, outcome.problems = exc.message, exc.problems
        except WorkbookRefused as exc:
            outcome.message = exc.message
        except services.ImportRefused as exc:
            outcome.message, outcome.problems = exc.message, exc.problems
        except assessment_services.AssessmentError as exc:
            outcome.message = exc.message
            outcome.problems = [Problem(_("No.%(number)s: %(problem)s") % {"number": p.item.number, "problem": p.problem})
                                for p in exc.problems if hasattr(p, "item")]
        except PermissionDenied as exc:
            outcome.message = str(exc) or _("Your role does not allow this.")
        else:
            outcome.ok = True
        return outcome

    def _ingest(self, path: Path, outcome: Outcome):
        try:
            with path.open("rb") as stream:
                data = read_limited(stream, size=path.stat().st_size)
        except OSError as exc:
            raise _Refused(exc.strerror or str(exc)) from None
        with Workbook(data, file_name=path.name) as book:
            meta = read_metadata(book)
            membership, scope, edition, items, fiscal_year = self._target(meta)
            read = read_open_checksheet(book, edition=edition, items=items, metadata=meta)
        if read.problems:
            raise services.ImportRefused(_("The file was not imported."), problems=read.problems)
        with transaction.atomic():
            assessment = (
                Assessment.objects.select_related("scope__parent", "scope__organisation", "edition__guideline", "organisation")
                .filter(scope=scope, edition=edition, fiscal_year=fiscal_year)
                .order_by("-revision")
                .first()
            )
            if assessment is None:
                assessment = assessment_services.assessment_create(
                    membership=membership, actor=self.user, scope=scope, edition=edition, fiscal_year=fiscal_year
                )
                outcome.created = True
            result = services.checksheet_ingest(membership=membership, actor=self.user, assessment=assessment, read=read, items=items)
            outcome.assessment, outcome.counts = str(assessment), result.counts
            if self.submit:
                assessment_services.assessment_submit(membership=membership, actor=self.user, assessment=assessment)
                outcome.submitted = True
            if self.dry_run:
                transaction.set_rollback(True)

    def _target(self, meta):
        if not meta:
            raise _Refused(_("The file has no Keiretsu marker (it was not exported by Keiretsu): import it on the assessment's page instead."))
        # Several organisations may claim one corporate number (docs/supplychain.md, "Verified
        # identity"): the one this person belongs to, the verified one first.
        claims = Organisation.objects.filter(corporate_number=meta.get("organisation", "")).order_by(F("verified_at").asc(nulls_last=True), "pk")
        organisation = claims.filter(memberships__user=self.user).first() or claims.first()
        if organisation is None:
            raise _Refused(_("No organisation with the corporate number %(number)s (%(name)s) is registered here.")
                           % {"number": meta.get("organisation", "?"), "name": meta.get("organisation_name", "")})
        membership = Membership.objects.select_related("organisation").filter(user=self.user, organisation=organisation).first()
        if membership is None:
            raise _Refused(_("%(user)s is not a member of %(organisation)s.") % {"user": self.user, "organisation": organisation.name})
        key = (meta.get("guideline", ""), meta.get("edition", ""))
        if key not in self._editions:
            edition = Edition.objects.select_related("guideline").filter(guideline__slug=key[0], code=key[1]).first()
            if edition is None:
                raise _Refused(_("The edition %(edition)s is not loaded here.") % {"edition": " ".join(key)})
            self._editions[key] = (edition, list(Item.objects.filter(edition=edition).order_by("position")))
        edition, items = self._editions[key]
        scope = self._scope(organisation, meta)
        try:
            fiscal_year = int(meta.get("fiscal_year", ""))
        except ValueError:
            raise _Refused(_("The file does not say its fiscal year.")) from None
        return membership, scope, edition, items, fiscal_year

    def _scope(self, organisation, meta) -> Scope:
        kind = meta.get("scope_kind", "")
        scopes = Scope.objects.filter(organisation=organisation, kind=kind).select_related("parent", "organisation")
        if kind == Scope.Kind.COMPANY:
            scope = scopes.first()
        elif kind == Scope.Kind.FACTORY:
            scope = scopes.filter(name=meta.get("scope_name", "")).first()
        else:
            scope = scopes.filter(name=meta.get("scope_name", ""), parent__name=meta.get("scope_parent", "")).first()
        if scope is None:
            raise _Refused(_("%(organisation)s has no factory or line named “%(name)s”.")
                           % {"organisation": organisation.name, "name": meta.get("scope_name", "")})
        return scope


# --- Several files at once (--jobs): one process per core, each with its own connection. ---

_worker: Ingestor | None = None


def _start_worker(user_id, submit, dry_run, language):
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.utils import translation

    connections.close_all()  # the parent's connection is not this process's
    translation.activate(language)
    global _worker
    _worker = Ingestor(get_user_model().objects.get(pk=user_id), submit=submit, dry_run=dry_run)


def _ingest_in_worker(path: Path) -> Outcome:
    return _worker.ingest(path)


def ingest_all(user, paths: list[Path], *, submit=False, dry_run=False, jobs=1):
    """Outcomes in the order of `paths`. With jobs > 1 the files are shared among processes
    (PostgreSQL: SQLite takes one writer at a time, so there it only adds overhead)."""
    if jobs <= 1 or len(paths) < 2:
        ingestor = Ingestor(user, submit=submit, dry_run=dry_run)
        yield from (ingestor.ingest(path) for path in paths)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections
    from django.utils import translation

    connections.close_all()  # a forked process must not use the parent's socket
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker,
        initargs=(user.pk, submit, dry_run, translation.get_language()),
    ) as pool:
        yield from pool.map(_ingest_in_worker, paths, chunksize=4)
