"""Writes to the improvement plan. Each one checked, audited, in one transaction."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Scope
from keiretsu.assessments.models import Assessment
from keiretsu.assessments.services import scope_fits_edition
from keiretsu.catalogue.models import Edition, Item, Section
from keiretsu.lib import filetypes
from keiretsu.lib.refusals import BadInput, Conflict, NotAllowed, NotFound, Refusal, require_own
from keiretsu.lib.uploads import too_large_message

from .models import Action, Evidence, ImprovementEvent, SectionAssignment, Target, evidence_storage


class ImprovementError(Refusal):
    """A refused change to the improvement plan (lib.refusals: message, status, problems)."""


class InvalidPlan(ImprovementError, BadInput):
    pass


class PlanConflict(ImprovementError, Conflict):
    pass


def target_set(
    *, membership: Membership, actor, edition: Edition, level: str, target_date: datetime.date
) -> Target:
    """The owner sets the organisation's target level and date for an edition."""
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner can change the target level."))
    if not edition.level_codes:
        raise InvalidPlan(_("This edition has no levels, so it has no target level."))
    if level not in edition.level_codes:
        raise InvalidPlan(
            _("“%(level)s” is not a level of this edition. Choose one of: %(levels)s")
            % {"level": level[:20], "levels": " ".join(edition.level_codes)}
        )
    if not isinstance(target_date, datetime.date):
        raise InvalidPlan(_("Give the target date as a date."))
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(organisation=membership.organisation, edition=edition).first()
        before = {"level": target.level, "target_date": target.target_date.isoformat()} if target else None
        after = {"level": level, "target_date": target_date.isoformat()}
        if before == after:
            return target
        if target is None:
            target = Target(organisation=membership.organisation, edition=edition)
        target.level, target.target_date, target.updated_by = level, target_date, actor
        target.save()
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=ImprovementEvent.TARGET_SET,
            target=target,
            target_label=f"{edition.guideline.display_title} {edition.display_title}",
            before=before,
            after=after,
        )
    return target


# --- Improvement actions ------------------------------------------------------------------

def _language() -> str:
    return (translation.get_language() or "ja")[:8]


def _check_action_fields(*, membership, title, description, progress_note, owner, start_date, due_date, status):
    """The rules of an action's fields (docs/rules.md, "Improvement actions"); refuses with
    every problem at once."""
    problems = []
    if not title.strip():
        problems.append(_("Give the action a title."))
    elif len(title.strip()) > Action.MAX_TITLE:
        problems.append(_("The title is too long: at most %(limit)s characters.") % {"limit": Action.MAX_TITLE})
    for label, value in ((_("The description"), description), (_("The progress note"), progress_note)):
        if len(value.strip()) > Action.MAX_TEXT:
            problems.append(
                _("%(field)s is too long: at most %(limit)s characters.") % {"field": label, "limit": f"{Action.MAX_TEXT:,}"}
            )
    if not isinstance(start_date, datetime.date) or not isinstance(due_date, datetime.date):
        problems.append(_("Give the start and due dates as dates."))
    elif due_date < start_date:
        problems.append(
            _("The due date (%(due)s) is before the start date (%(start)s).")
            % {"due": due_date.isoformat(), "start": start_date.isoformat()}
        )
    if status not in Action.Status.values:
        problems.append(_("Choose a status: planned, in progress, done or cancelled."))
    if owner is not None and not Membership.objects.filter(organisation=membership.organisation_id, user=owner).exists():
        problems.append(_("The owner of an action must be a member of your organisation."))
    if problems:
        raise InvalidPlan(" ".join(problems), problems=problems)


def _check_items(edition: Edition, items) -> list[Item]:
    items = list(items)
    if not items:
        raise InvalidPlan(_("Choose at least one item the action is for."))
    if any(item.edition_id != edition.pk for item in items):
        # Another edition's item (or another organisation's plan): not found, as the selectors answer.
        raise NotFound(_("This item is not part of the edition of this plan."))
    return items


def action_create(
    *,
    membership: Membership,
    actor,
    scope: Scope,
    edition: Edition,
    items,
    title: str,
    description: str = "",
    owner=None,
    start_date: datetime.date | None = None,
    due_date: datetime.date,
    status: str = Action.Status.PLANNED,
    progress_note: str = "",
) -> Action:
    """A member who answers creates an action for one or several items of one scope and edition."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot plan improvement actions."))
    require_own(membership, scope.organisation_id)
    if not scope_fits_edition(scope, edition):
        raise InvalidPlan(_("This edition is not assessed for this part of the company."))
    items = _check_items(edition, items)
    start_date = start_date or timezone.localdate()
    _check_action_fields(
        membership=membership, title=title, description=description, progress_note=progress_note,
        owner=owner, start_date=start_date, due_date=due_date, status=status,
    )
    with transaction.atomic():
        action = Action.objects.create(
            organisation=membership.organisation,
            scope=scope,
            edition=edition,
            title=title.strip(),
            description=description.strip(),
            owner=owner,
            owner_language=_language() if owner is not None and owner.pk == actor.pk else "ja",
            start_date=start_date,
            due_date=due_date,
            status=status,
            progress_note=progress_note.strip(),
            created_by=actor,
            closed_at=None if status in Action.OPEN else timezone.now(),
        )
        action.items.set(items)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=ImprovementEvent.ACTION_CREATED,
            target=action,
            after={**action.as_audit(), "items": ", ".join(item.number for item in items)},
        )
    return action


def action_update(*, membership: Membership, actor, action: Action, items=None, **fields) -> Action:
    """Change an action's fields (those given) and, optionally, its items. Done or cancelled
    records when; reopening clears it. Never touches a rating."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot change improvement actions."))
    require_own(membership, action.organisation_id)
    allowed = {"title", "description", "owner", "start_date", "due_date", "status", "progress_note"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidPlan(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        action = Action.objects.select_for_update(of=("self",)).select_related("owner", "edition").get(pk=action.pk)
        current = {name: getattr(action, name) for name in allowed}
        new = {**current, **{k: (v.strip() if isinstance(v, str) and k != "status" else v) for k, v in fields.items()}}
        _check_action_fields(membership=membership, **new)
        old_items = list(action.items.order_by("position"))
        new_items = _check_items(action.edition, items) if items is not None else old_items
        before = {**action.as_audit(), "items": ", ".join(i.number for i in old_items)}
        for name, value in new.items():
            setattr(action, name, value)
        if action.status in Action.OPEN:
            action.closed_at = None
        elif current["status"] in Action.OPEN:
            action.closed_at = timezone.now()
        if action.owner_id is not None and action.owner_id == actor.pk:
            action.owner_language = _language()
        after = {**action.as_audit(), "items": ", ".join(i.number for i in sorted(new_items, key=lambda i: i.position))}
        if before == after:
            return action
        action.save()
        if items is not None:
            action.items.set(new_items)
        changed = [key for key in after if before[key] != after[key]]
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=ImprovementEvent.ACTION_CHANGED,
            target=action,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return action


# --- Evidence files ---------------------------------------------------------------------------

class EvidenceRefused(ImprovementError, BadInput):
    pass


class EvidenceFrozen(ImprovementError, Conflict):
    pass


def _file_checked(*, membership, upload, name: str):
    """The upload's kind (lib.filetypes, from its content), size and SHA-256, or a refusal."""
    size = upload.size
    if size > settings.EVIDENCE_MAX_FILE_BYTES:
        raise EvidenceRefused(too_large_message(size, settings.EVIDENCE_MAX_FILE_BYTES))
    if size == 0:
        raise EvidenceRefused(_("The file is empty."))
    kind = filetypes.detect(upload, name)
    if kind is None:
        raise EvidenceRefused(
            _("This kind of file cannot be kept as evidence. Allowed: PDF, PNG, JPEG, Excel (xlsx), Word (docx), "
              "PowerPoint (pptx), text and CSV.")
        )
    if filetypes.disguised(kind, name):
        raise EvidenceRefused(
            _("The file's name says it is another kind of file than its content (%(kind)s). Rename it or choose "
              "the right file.") % {"kind": kind.code.upper()}
        )
    used = Evidence.objects.filter(organisation=membership.organisation_id, deleted_at=None).aggregate(
        total=Sum("size")
    )["total"] or 0
    if used + size > settings.EVIDENCE_MAX_ORGANISATION_BYTES:
        raise EvidenceRefused(
            _("Your organisation's evidence files would take more than the %(limit)s MB allowed. Delete files "
              "no longer needed first.") % {"limit": f"{settings.EVIDENCE_MAX_ORGANISATION_BYTES // 1_048_576:,}"}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind, size, digest.hexdigest()


def _display_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255] or "file"


def evidence_add(*, membership: Membership, actor, upload, assessment=None, item: Item | None = None,
                 action: Action | None = None) -> Evidence:
    """Keep a file as evidence of an answer (assessment and item) or of an action. Checked whole
    before anything is written; the file is stored in the transaction's wake only if it commits."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot add evidence."))
    if (action is None) == (assessment is None or item is None):
        raise EvidenceRefused(_("Evidence belongs to an answer or to an action."))
    owner_org = action.organisation_id if action is not None else assessment.organisation_id
    require_own(membership, owner_org)
    if item is not None and item.edition_id != assessment.edition_id:
        raise NotFound(_("This item is not part of the edition of this plan."))
    name = _display_name(getattr(upload, "name", ""))
    kind, size, sha256 = _file_checked(membership=membership, upload=upload, name=name)
    with transaction.atomic():
        if assessment is not None:
            status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
            if status == Assessment.Status.SUBMITTED:
                raise EvidenceFrozen(
                    _("This assessment has been submitted: its evidence is frozen with it. Start a revision to add files.")
                )
        evidence = Evidence(
            organisation=membership.organisation, assessment=assessment, item=item, action=action, name=name,
            kind=kind.code, content_type=kind.content_type, size=size, sha256=sha256, uploaded_by=actor,
        )
        evidence.file.save(name, upload, save=False)
        stored = evidence.file.name
        try:
            evidence.save()
            audit.record(
                actor=actor, organisation=membership.organisation, event=ImprovementEvent.EVIDENCE_ADDED,
                target=evidence, target_label=_evidence_label(evidence),
                after={**evidence.as_audit(), "on": _evidence_on(evidence)},
            )
        except Exception:
            evidence.file.storage.delete(stored)  # nothing kept of a failed request
            raise
    return evidence


def _evidence_on(evidence: Evidence) -> str:
    if evidence.action_id:
        return f"{evidence.action.title}"
    return f"{evidence.assessment} No.{evidence.item.number}"


def _evidence_label(evidence: Evidence) -> str:
    return f"{evidence.name} · {_evidence_on(evidence)}"[:300]


def evidence_delete(*, membership: Membership, actor, evidence: Evidence) -> Evidence:
    """Delete the file's content; the record stays (what it was, who deleted it, when), audited."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot delete evidence."))
    require_own(membership, evidence.organisation_id)
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update(of=("self",)).select_related("assessment", "item", "action").get(pk=evidence.pk)
        if evidence.is_deleted:
            raise EvidenceFrozen(_("This file has already been deleted."))
        if evidence.assessment_id and evidence.assessment.is_frozen:
            raise EvidenceFrozen(
                _("This assessment has been submitted: its evidence is frozen with it and cannot be deleted.")
            )
        stored = evidence.file.name
        evidence.deleted_at, evidence.deleted_by, evidence.file = timezone.now(), actor, ""
        evidence.save(update_fields=["deleted_at", "deleted_by", "file"])
        audit.record(
            actor=actor, organisation=membership.organisation, event=ImprovementEvent.EVIDENCE_DELETED,
            target=evidence, target_label=_evidence_label(evidence),
            before={**evidence.as_audit(), "on": _evidence_on(evidence)},
        )
        if stored and not Evidence.objects.filter(file=stored).exists():
            storage = evidence_storage()
            transaction.on_commit(lambda: storage.delete(stored))
    return evidence


# --- Work shared among colleagues ----------------------------------------------------------------


def section_assign(*, membership: Membership, actor, assessment: Assessment, section: Section, assignee) -> bool:
    """The owner assigns a label (a top-level section) of an assessment in progress to a member
    who answers (an owner or an assessor), or to nobody (assignee None). Audited. Returns
    whether anything changed. Refuses, changing nothing: another organisation's assessment
    (404), a section of another edition or not a top-level one, someone who is not a member or
    only reads, a submitted assessment."""
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner can share out the sections of an assessment."))
    require_own(membership, assessment.organisation_id)
    if section.edition_id != assessment.edition_id or section.parent_id is not None:
        raise InvalidPlan(_("This section is not one of the assessment's labels."))
    if assignee is not None:
        member = Membership.objects.filter(organisation=membership.organisation_id, user=assignee).first()
        if member is None:
            raise InvalidPlan(_("A section can only be assigned to a member of your organisation."))
        if not member.can_answer:
            raise InvalidPlan(
                _("%(name)s is a viewer and cannot answer. Assign the section to an owner or an assessor.")
                % {"name": str(assignee)}
            )
    with transaction.atomic():
        status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
        if status == Assessment.Status.SUBMITTED:
            raise PlanConflict(_("This assessment has been submitted: its sections can no longer be assigned."))
        current = SectionAssignment.objects.filter(assessment=assessment, section=section).select_related("assignee").first()
        if (current.assignee_id if current else None) == (assignee.pk if assignee else None):
            return False
        before = {"section": section.code, "assignee": str(current.assignee) if current else ""}
        if assignee is None:
            current.delete()
        elif current is None:
            SectionAssignment.objects.create(
                organisation=membership.organisation, assessment=assessment, section=section,
                assignee=assignee, assigned_by=actor,
            )
        else:
            current.assignee, current.assigned_by = assignee, actor
            current.save(update_fields=["assignee", "assigned_by", "assigned_at"])
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=ImprovementEvent.SECTION_ASSIGNED,
            target=assessment,
            target_label=f"{assessment} {section.code} {section.display_title}"[:300],
            before=before,
            after={"section": section.code, "assignee": str(assignee) if assignee else ""},
        )
    return True
