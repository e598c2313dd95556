"""/api/v1/o/<org>/audit/: the organisation's audit log for its owners, readable as on the page."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from keiretsu.api.auth import ApiError, api_view

from . import audit_display, selectors
from .forms import AuditFilterForm

PER_PAGE = 100


def event_json(event) -> dict:
    row = audit_display.readable(event)
    return {
        "at": row.at.isoformat(),
        "actor": event.actor.email if event.actor else None,
        "actor_name": row.actor,
        "event": event.event,
        "event_label": row.event_label,
        "sentence": row.sentence,
        "target": row.target,
        "changes": [{"field": c.field, "label": c.label, "before": c.before, "after": c.after} for c in row.changes],
        "before": event.before,
        "after": event.after,
    }


@api_view()
def audit_events(request, membership):
    """?actor=<user id>&event=<code>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD&page=N, newest first."""
    if not membership.can_manage:
        raise PermissionDenied("the audit log is for the organisation's owners")
    form = AuditFilterForm(request.GET or None, membership=membership)
    if form.is_bound and not form.is_valid():
        raise ApiError(
            "invalid filter", errors={name: [str(e) for e in errors] for name, errors in form.errors.items()}
        )
    page = Paginator(selectors.audit_events(membership, **form.filters()), PER_PAGE).get_page(request.GET.get("page"))
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "events": [event_json(event) for event in page],
    }
