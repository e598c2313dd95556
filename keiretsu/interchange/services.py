"""Writes from exchanged files: a filled checksheet into an assessment, an official checksheet
into the catalogue. Validate the whole file, show what will change, then write in one
transaction with the audit rows.

A checksheet's answers are written by `checksheet_import_apply` (and `checksheet_ingest` for
the command line), the bulk equivalent of assessments.services.answer_save: the same
permission (answering roles only), the same refusals (another edition's item, a symbol
outside the scale, a submitted assessment, with the assessment row locked), the same
normalisation (symbol aliases, trimmed text) and the same audit row per changed answer
(assessment.answer_changed with the item number, before and after), plus one row for the
import itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer, Assessment, AssessmentEvent
from keiretsu.assessments.services import AssessmentError, AssessmentFrozen, approval_reopen
from keiretsu.catalogue.loader import CatalogueError
from keiretsu.catalogue.models import Item
from keiretsu.catalogue.services import edition_load
from keiretsu.lib import bulk
from keiretsu.lib.refusals import BadInput, Conflict, NotAllowed, require_own

from . import official
from .checksheet_import import Problem, ReadChecksheet, read_checksheet
from .models import ChecksheetImport, EditionImport, InterchangeEvent, PendingStatus


class ImportRefused(AssessmentError, BadInput):
    """The file cannot be imported; `problems` lists every reason, each with where it is."""


class ImportOutdated(AssessmentError, Conflict):
    pass


@dataclass
class Change:
    item_id: int
    number: str
    before: dict | None  # {"rating", "reason", "comment"}; None when the item had no answer
    after: dict


@dataclass
class ImportPlan:
    changes: list[Change]
    counts: dict[str, int]
    fingerprint: str
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def rating_changes(self) -> list[Change]:
        return [c for c in self.changes if (c.before or {}).get("rating", "") != c.after["rating"]]

    @property
    def text_changes(self) -> list[Change]:
        """Changes of the reason or the comment only: listed too, so that nobody's text is
        replaced unseen."""
        return [c for c in self.changes if (c.before or {}).get("rating", "") == c.after["rating"]]

    def as_dict(self) -> dict:
        return {
            "changes": [asdict(c) for c in self.changes],
            "counts": self.counts,
            "fingerprint": self.fingerprint,
            "warnings": self.warnings,
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data) -> ImportPlan:
        return cls(
            changes=[Change(**c) for c in data["changes"]],
            counts=data["counts"],
            fingerprint=data["fingerprint"],
            warnings=data.get("warnings", []),
            metadata=data.get("metadata", {}),
        )


@dataclass
class ImportResult:
    assessment: Assessment
    changed: int
    counts: dict[str, int]


def _require_answerer(membership: Membership, assessment: Assessment):
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot import answers."))
    require_own(membership, assessment.organisation_id)


def answers_fingerprint(assessment: Assessment) -> str:
    """A digest of all of an assessment's answers: a preview is applied only if it still holds."""
    rows = Answer.objects.filter(assessment=assessment).order_by("item_id").values_list("item_id", "rating", "reason", "comment")
    return hashlib.sha256(json.dumps(list(rows), ensure_ascii=False).encode()).hexdigest()


def items_of(assessment: Assessment) -> list[Item]:
    return list(Item.objects.filter(edition=assessment.edition_id).order_by("position"))


def frozen_problems(assessment: Assessment) -> list[Problem]:
    if assessment.is_frozen:
        return [Problem(
            _("This assessment has been submitted and can no longer be changed. Start a revision, then import the file into it.")
        )]
    return []


def plan_for(assessment: Assessment, read: ReadChecksheet, items: list[Item]) -> ImportPlan:
    """What the file changes, compared with the answers as they are now."""
    current = {a.item_id: a for a in Answer.objects.filter(assessment=assessment)}
    counts = {"items": len(read.answers), "new": 0, "changed": 0, "cleared": 0, "text_only": 0, "unchanged": 0}
    changes = []
    for item in items:
        entry = read.answers.get(item.number)
        if entry is None:
            continue
        answer = current.get(item.pk)
        before = answer.as_audit() if answer else None
        after = {"rating": entry.rating, "reason": entry.reason.strip(), "comment": entry.comment.strip()}
        if (before or {"rating": "", "reason": "", "comment": ""}) == after:
            counts["unchanged"] += 1
            continue
        old_rating = (before or {}).get("rating", "")
        if old_rating == after["rating"]:
            counts["text_only"] += 1
        elif not old_rating:
            counts["new"] += 1
        elif not after["rating"]:
            counts["cleared"] += 1
        else:
            counts["changed"] += 1
        changes.append(Change(item.pk, item.number, before, after))
    warnings = list(read.warnings)
    meta = read.metadata
    if meta.get("assessment") and meta["assessment"] != str(assessment.pk):
        warnings.append(
            _("This file was exported from another assessment (%(scope)s, FY%(year)s, revision %(revision)s). "
              "Check that it is the file you mean to import here.")
            % {"scope": meta.get("scope_name") or meta.get("organisation_name", ""), "year": meta.get("fiscal_year", "?"),
               "revision": meta.get("revision", "?")}
        )
    if meta.get("organisation") and meta["organisation"] != assessment.organisation.corporate_number:
        warnings.append(
            _("This file was exported for another company (%(name)s, corporate number %(number)s).")
            % {"name": meta.get("organisation_name", ""), "number": meta["organisation"]}
        )
    return ImportPlan(changes, counts, answers_fingerprint(assessment), warnings, dict(meta))


def checksheet_import_prepare(
    *, membership: Membership, actor, assessment: Assessment, data: bytes, file_name: str
) -> ChecksheetImport:
    """Validate the whole file; keep what it would change for the person to confirm. Raises ImportRefused."""
    _require_answerer(membership, assessment)
    items = items_of(assessment)
    read = read_checksheet(data, file_name=file_name, edition=assessment.edition, items=items)
    problems = frozen_problems(assessment) + read.problems
    if problems:
        raise ImportRefused(_("The file was not imported: correct these problems and upload it again."), problems=problems)
    plan = plan_for(assessment, read, items)
    with transaction.atomic():
        # One preview per assessment: a new upload replaces the one not yet confirmed.
        ChecksheetImport.objects.filter(assessment=assessment, status=PendingStatus.PENDING).update(
            status=PendingStatus.DISCARDED
        )
        return ChecksheetImport.objects.create(
            organisation=membership.organisation,
            assessment=assessment,
            created_by=actor,
            file_name=file_name[:255],
            file_sha256=read.sha256,
            plan=plan.as_dict(),
        )


def checksheet_import_apply(*, membership: Membership, actor, pending: ChecksheetImport) -> ImportResult:
    """Write the confirmed preview, in one transaction, if the answers have not changed since."""
    assessment = pending.assessment
    _require_answerer(membership, assessment)
    with transaction.atomic():
        locked = ChecksheetImport.objects.select_for_update().get(pk=pending.pk)
        if locked.status != PendingStatus.PENDING:
            raise ImportOutdated(_("This import has already been applied or discarded."))
        if locked.is_expired:
            raise ImportOutdated(_("This preview has expired. Upload the file again."))
        plan = ImportPlan.from_dict(locked.plan)
        result = _apply(membership, actor, assessment, plan, file_name=locked.file_name, sha=locked.file_sha256)
        locked.status = PendingStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["status", "applied_at"])
    return result


def checksheet_import_discard(*, membership: Membership, actor, pending: ChecksheetImport):
    """Throw away a preview not yet confirmed (nothing of the file was written), audited."""
    _require_answerer(membership, pending.assessment)
    with transaction.atomic():
        discarded = ChecksheetImport.objects.filter(pk=pending.pk, status=PendingStatus.PENDING).update(
            status=PendingStatus.DISCARDED
        )
        if discarded:
            audit.record(
                actor=actor,
                organisation=pending.assessment.organisation,
                event=InterchangeEvent.CHECKSHEET_DISCARDED,
                target=pending.assessment,
                before={"file": pending.file_name, "sha256": pending.file_sha256, "status": PendingStatus.PENDING},
                after={"status": PendingStatus.DISCARDED},
            )


def checksheet_ingest(
    *, membership: Membership, actor, assessment: Assessment, read: ReadChecksheet, items: list[Item]
) -> ImportResult:
    """Write a file already read (read_checksheet) at once: the command line, where nobody
    confirms a preview. The file's problems and a submitted assessment refuse it whole."""
    _require_answerer(membership, assessment)
    problems = frozen_problems(assessment) + read.problems
    if problems:
        raise ImportRefused(_("The file was not imported."), problems=problems)
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").first()
        plan = plan_for(assessment, read, items)
        return _apply(membership, actor, assessment, plan, file_name=read.file_name, sha=read.sha256)


def _apply(membership, actor, assessment: Assessment, plan: ImportPlan, *, file_name: str, sha: str) -> ImportResult:
    """Inside the caller's transaction: lock, check nothing moved, write answers and audit rows."""
    # Lock the assessment so that no answer or submission slips in between (as answer_save does).
    status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
    if status == Assessment.Status.SUBMITTED:
        raise AssessmentFrozen(
            _("This assessment has been submitted and can no longer be changed. Start a revision to change it.")
        )
    if answers_fingerprint(assessment) != plan.fingerprint:
        raise ImportOutdated(_("The answers have changed since the file was checked. Upload the file again to see the changes."))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_apply must run inside a transaction")

    now = timezone.now()
    existing = dict(
        Answer.objects.filter(assessment=assessment, item_id__in=[c.item_id for c in plan.changes]).values_list("item_id", "pk")
    )
    actor_id = actor.pk if actor is not None else None
    new_rows, changed_rows, events = [], [], []
    label = str(assessment)
    for change in plan.changes:
        after = change.after
        if change.item_id in existing:
            changed_rows.append((existing[change.item_id], after["rating"], after["reason"], after["comment"], actor_id, now))
        else:
            new_rows.append((assessment.pk, change.item_id, after["rating"], after["reason"], after["comment"], actor_id, now))
        # The same audit row as answer_save writes for one answer.
        events.append((
            f"{label} No.{change.number}", {"item": change.number, **(change.before or {})},
            {"item": change.number, **after},
        ))
    bulk.insert_rows(Answer, ["assessment", "item", "rating", "reason", "comment", "updated_by", "updated_at"], new_rows)
    bulk.update_rows(Answer, ["rating", "reason", "comment", "updated_by", "updated_at"], changed_rows)
    audit.record_many(
        actor=actor, organisation=assessment.organisation, event=AssessmentEvent.ANSWER_CHANGED, target=assessment,
        rows=events, at=now,
    )
    if plan.changes:
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=now)
        approval_reopen(actor=actor, assessment=assessment)  # a change after approval: in progress again
    audit.record(
        actor=actor,
        organisation=assessment.organisation,
        event=InterchangeEvent.CHECKSHEET_IMPORTED,
        target=assessment,
        after={"file": file_name, "sha256": sha, "answers_changed": len(plan.changes), "counts": plan.counts},
    )
    return ImportResult(assessment=assessment, changed=len(plan.changes), counts=plan.counts)


# --- The enterprise edition from the official checksheet -----------------------------------


class EditionImportRefused(BadInput):
    def __init__(self, message, problems=()):
        super().__init__(message, problems=problems)


def _require_importer(actor, membership):
    """The administrator imports for everyone; an organisation's owner for that organisation."""
    if membership is not None:
        if not membership.can_manage:
            raise NotAllowed(_("Only an owner of the organisation can import the official checksheet."))
    elif not actor.is_staff:
        raise NotAllowed(_("Only an instance administrator can import a catalogue edition."))


def edition_import_prepare(
    *, actor, data: bytes, file_name: str, guideline: str, edition: str, membership=None, **options
) -> EditionImport:
    """Read an official checksheet into an edition preview, kept to be confirmed: by the
    administrator, or (with `membership`) by an owner importing it for that organisation."""
    _require_importer(actor, membership)
    preview = official.read_official_checksheet(data, file_name=file_name, guideline=guideline, edition=edition, **options)
    if preview.problems:
        raise EditionImportRefused(_("The checksheet could not be read as an edition."), preview.problems)
    return EditionImport.objects.create(
        organisation=membership.organisation if membership is not None else None,
        created_by=actor,
        file_name=file_name[:255],
        file_sha256=preview.sha256,
        guideline_slug=guideline,
        edition_code=edition,
        spec=official.spec_to_dict(preview.spec),
        preview=preview.as_dict(),
    )


def edition_import_apply(*, actor, pending: EditionImport, membership=None):
    """Create the edition through catalogue.services.edition_load (immutable once loaded); an
    organisation's import is seen by that organisation (and those it shares results with)."""
    _require_importer(actor, membership)
    if membership is not None:
        require_own(membership, pending.organisation_id)
    with transaction.atomic():
        locked = EditionImport.objects.select_for_update().get(pk=pending.pk)
        if locked.status != PendingStatus.PENDING:
            raise EditionImportRefused(_("This import has already been applied or discarded."))
        if locked.is_expired:
            raise EditionImportRefused(_("This preview has expired. Upload the file again."))
        try:
            result = edition_load(spec=official.spec_from_dict(locked.spec), actor=actor, organisation=locked.organisation)
        except CatalogueError as exc:
            raise EditionImportRefused(_("The edition was not created."), exc.problems) from None
        locked.status = PendingStatus.APPLIED
        locked.edition = result.edition
        locked.save(update_fields=["status", "edition"])
    return result


def edition_import_discard(*, actor, pending: EditionImport, membership=None):
    _require_importer(actor, membership)
    if membership is not None:
        require_own(membership, pending.organisation_id)
    EditionImport.objects.filter(pk=pending.pk, status=PendingStatus.PENDING).update(status=PendingStatus.DISCARDED)
