"""JSON endpoints of the improvement plan (read): the targets and the actions, scoped to the
organisation (another organisation's action answers 404). The same rows as the plan's CSV
(exports.py)."""

from django.utils import timezone

from keiretsu.api.auth import api_view
from keiretsu.catalogue.selectors import editions

from . import exports, selectors


@api_view()
def targets(request, membership):
    """Each edition with levels: its target level and date (the programme's default unless the
    owner set one)."""
    with_levels = [edition for edition in editions() if edition.level_codes]
    found = selectors.targets_for(membership, with_levels)
    return {"targets": [exports.target_json(found[e.pk]) for e in with_levels if e.pk in found]}


@api_view()
def actions(request, membership):
    """The organisation's actions, filtered as the plan page filters them (status, owner, due,
    level, edition; every status unless asked), sorted by what closes the gap first."""
    query = request.GET.copy()
    query.setdefault("status", "all")
    plan = selectors.plan(membership, query)
    return {"actions": [exports.action_json(row) for row in plan.rows]}


@api_view()
def action(request, membership, action_id):
    found = selectors.action_for(membership, action_id)
    (row,) = selectors.plan_rows(membership, [found], timezone.localdate())
    data = exports.action_json(row)
    data["evidence"] = [
        {"id": e.pk, "name": e.name, "size": e.size, "uploaded_at": e.uploaded_at.isoformat(), "deleted": e.is_deleted}
        for e in selectors.evidence_of_action(found)
    ]
    return data
