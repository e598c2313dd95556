"""JSON endpoints of the supply chain (read-only), scoped exactly like the pages."""

from django.utils import timezone

from keiretsu.api.auth import api_view
from keiretsu.assessments.api import scores_json
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.lib.fiscal_year import fiscal_year_of
from keiretsu.programme.scoring import ScoreSummary

from . import selectors
from .models import Criticality, SupplierStatus


def _focus(request, membership):
    return selectors.focus_for(membership, request.GET, current_year=fiscal_year_of(timezone.localdate()))


def _edition(edition):
    return None if edition is None else {"id": edition.pk, "guideline": edition.guideline.slug, "edition": edition.code}


def _status(value):
    return SupplierStatus(value).name.lower()


def _number(value):
    return None if value is None else float(value)


def _share_summary(share_id, level, has_levels, rate, weak):
    if share_id is None:
        return None
    return {
        "id": share_id,
        "level_attained": (level or None) if has_levels else None,
        "achievement_rate": _number(rate),
        "weak_link": weak,
    }


@api_view()
def suppliers(request, membership):
    focus = _focus(request, membership)
    rows = selectors.supplier_rows(membership, focus=focus, today=timezone.localdate())
    return {
        "fiscal_year": focus.fiscal_year,
        "edition": _edition(focus.edition),
        "suppliers": [
            {
                "id": row.pk,
                "name": row.name,
                "corporate_number": row.corporate_number,
                "contact_email": row.contact_email,
                "criticality": Criticality(row.criticality).name.lower(),
                "on_keiretsu": row.organisation_id is not None,
                # verified / linked_unverified (linked by the customer) / unverified / none
                "registration": row.registration,
                "status": _status(row.status),
                "request": row.request_id,
                "due_date": row.due_date.isoformat() if row.due_date else None,
                "shared": _share_summary(
                    row.share_id, row.share_level, row.share_has_levels, row.share_rate, row.share_weak
                ),
                "last_activity": row.last_activity.isoformat() if row.last_activity else None,
            }
            for row in rows.iterator()
        ],
    }


def _tier_json(tier):
    data = {
        "known": tier.known,
        "submitted": tier.submitted,
        "coverage": _number(tier.coverage),
        "by_status": {_status(s): n for s, n in sorted(tier.by_status.items())},
    }
    aggregate = tier.aggregate
    if aggregate is not None:
        data["results"] = aggregate.suppliers
        data["shared_with_you"] = tier.shared_with_you
        if aggregate.shown:
            data["average_achievement_rate"] = _number(aggregate.mean_rate)
            data["first_level_attained"] = aggregate.first_level_attained if aggregate.with_levels else None
            data["weak_links"] = aggregate.weak
    return data


@api_view()
def supply_tree(request, membership):
    focus = _focus(request, membership)
    tree = selectors.supply_tree(membership, focus=focus, today=timezone.localdate())
    return {
        "fiscal_year": focus.fiscal_year,
        "edition": _edition(focus.edition),
        "min_group_size": tree.k,
        "tiers": [{"tier": t.tier, **_tier_json(t)} for t in tree.tiers],
        "branches": [
            {
                "supplier": b.supplier.pk,
                "name": b.supplier.name,
                "status": _status(b.status),
                "below": _tier_json(b.below),
            }
            for b in tree.branches
        ],
    }


@api_view()
def weakest_links(request, membership):
    focus = _focus(request, membership)
    edition = focus.edition if request.GET.get("edition") else None
    links = selectors.weakest_links(membership, fiscal_year=focus.fiscal_year, edition=edition)
    return {
        "fiscal_year": focus.fiscal_year,
        "weakest_links": [
            {
                "share": s.pk,
                "supplier": s.organisation.name,
                "corporate_number": s.organisation.corporate_number,
                "tier": s.tier,
                "criticality": Criticality(s.criticality).name.lower(),
                "edition": _edition(s.edition),
                "scope": s.scope.display_name,
                "level_attained": s.level_attained or None,
                "first_level_missing": s.first_level_missing if s.has_levels else None,
                "priority_missing": s.priority_missing,
                "gap": s.gap,
                "achievement_rate": _number(s.overall_rate),
            }
            for s in links[:500]
        ],
    }


@api_view()
def inbox(request, membership):
    requests = selectors.inbox(membership, today=timezone.localdate(), state=request.GET.get("state", "open"))
    return {
        "requests": [
            {
                "id": r.pk,
                "customer": r.requester.name,
                "edition": _edition(r.edition),
                "fiscal_year": r.fiscal_year,
                "due_date": r.due_date.isoformat(),
                "message": r.message,
                "pass_on": r.pass_on,
                "reply": r.status,
                "status": _status(r.supplier_status) if r.is_current else None,
                "passed_on_from": r.parent.requester.name if r.parent_id else None,
            }
            for r in requests[:1000]
        ]
    }


@api_view()
def result(request, membership, share_id):
    share = selectors.share_received_for(membership, share_id)
    data = {
        "id": share.pk,
        "supplier": share.organisation.name,
        "edition": _edition(share.edition),
        "fiscal_year": share.fiscal_year,
        "scope": share.scope.display_name,
        "shared_at": share.shared_at.isoformat(),
    }
    if not share.is_active:
        return {**data, "state": share.ended, "ended_at": share.ended_at.isoformat()}
    data.update(
        state="shared",
        detail=share.detail,
        revision=share.assessment.revision,
        submitted_at=share.assessment.submitted_at.isoformat(),
        scores=scores_json(ScoreSummary.from_dict(share.assessment.score_snapshot)),
    )
    answers = selectors.shared_answers(share)
    if answers:
        data["answers"] = [
            {
                "item": item.number,
                "rating": answers[item.pk].rating if item.pk in answers else "",
                "reason": answers[item.pk].reason if item.pk in answers else "",
                "comment": answers[item.pk].comment if item.pk in answers else "",
            }
            for item in edition_structure(share.edition).items
        ]
    return data
