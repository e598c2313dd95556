"""The improvement plan on the assessment pages (registered with assessments.extensions)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from keiretsu.assessments import extensions
from keiretsu.assessments.selectors import ScoredAssessment

from . import exports, selectors
from .models import Action


def _scoreboard(membership, scored: ScoredAssessment) -> dict:
    target = selectors.target_for(membership, scored.assessment.edition)
    return {"target": target, "gap": selectors.gap_of(scored, target)}


@extensions.contributes(extensions.SCOREBOARD)
def scoreboard(membership, scored):
    return _scoreboard(membership, scored)


@extensions.contributes(extensions.CHECKLIST)
def checklist(membership, checklist):
    """The gap, and each item row's actions (row.actions); row.rerate when an action for it is
    done but the item is not rated achieved: the person re-rates it (done changes no rating)."""
    scored = ScoredAssessment(checklist.assessment, checklist.structure, checklist.answers, checklist.scores)
    by_item = selectors.checklist_actions(membership, checklist.assessment)
    files = selectors.evidence_by_item(checklist.assessment.pk)
    scale = checklist.assessment.edition.rating_scale
    for group in checklist.groups:
        for row in group.rows:
            row.actions = by_item.get(row.item.pk, [])
            row.evidence = files.get(row.item.pk, [])
            rating = row.answer.rating if row.answer else ""
            row.rerate = any(a.action.status == Action.Status.DONE for a in row.actions) and not scale.is_achieved(rating)
    context = _scoreboard(membership, scored)
    # The items' own pages: .../items/<pk>/evidence/ (improvement:evidence_answer_add).
    context["item_extras_url"] = reverse(
        "improvement:evidence_answer_add", args=[membership.organisation_id, checklist.assessment.pk, 0]
    ).removesuffix("0/evidence/")
    return context


@extensions.contributes(extensions.DASHBOARD)
def dashboard(membership, entries):
    """Each entry gets its target and gap (entry.target, entry.gap)."""
    found = selectors.targets_for(membership, {e.assessment.edition_id: e.assessment.edition for e in entries}.values())
    with_levels = [e for e in entries if e.assessment.edition_id in found]
    ratings = selectors.ratings_of([e.assessment.pk for e in with_levels]) if with_levels else {}
    for entry in entries:
        entry.target = found.get(entry.assessment.edition_id)
        entry.gap = None
        if entry.target is not None:
            numbers = {item.pk: item.number for item in entry.structure.items}
            by_number = {numbers[i]: r for i, r in ratings[entry.assessment.pk].items() if i in numbers}
            scored = ScoredAssessment(entry.assessment, entry.structure, {}, entry.scores)
            entry.gap = selectors.gap_of(scored, entry.target, by_number)
    return {}


@extensions.contributes(extensions.SHARED)
def shared(membership, share):
    """The evidence of a supplier's answers, for the customer it shares every answer with."""
    if not share.is_active or share.detail != share.Detail.FULL or share.recipient_id != membership.organisation_id:
        return {}
    return {"files_by_item": selectors.evidence_by_item(share.assessment_id)}


@extensions.contributes(extensions.WORKBOOK)
def workbook(membership, assessment):
    """The checksheet workbook's actions sheet: the actions of the assessment's scope and edition
    (every status), as the plan's CSV has them (exports.action_rows)."""
    actions = selectors.actions_of(membership).filter(scope=assessment.scope_id, edition=assessment.edition_id)
    rows = selectors.plan_rows(membership, actions, timezone.localdate())
    return {"workbook_sheets": [(pgettext("sheet name", "Improvement plan"), exports.action_rows(rows))]}
