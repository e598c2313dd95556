"""What to do next, on the dashboard (issue 11, item 7), for the organisation's two roles in the
supply chain: as a supplier (requests to answer with their due dates, assessments in progress
with their progress and gap to target, improvement actions due) and as a customer (suppliers
overdue, results newly shared). Registered with assessments.extensions (DASHBOARD); the page
shows it through improvement/_next_steps.html. Six queries, however much there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from keiretsu.accounts.models import Membership
from keiretsu.assessments import extensions
from keiretsu.supplychain.models import AssessmentRequest, Share, SupplierStatus
from keiretsu.supplychain.selectors.status import supplier_status

from .models import Action
from .selectors import DUE_SOON_DAYS

SHOWN = 5  # rows per list; the rest behind a link
NEWLY_SHARED_DAYS = 30


@dataclass
class NextSteps:
    today: datetime.date
    requests: list = field(default_factory=list)  # requests from customers still to answer
    in_progress: list = field(default_factory=list)  # dashboard entries of assessments in progress
    actions: list = field(default_factory=list)  # open actions overdue or due soon (the first SHOWN)
    actions_overdue: int = 0
    actions_due_soon: int = 0
    is_customer: bool = False
    suppliers_overdue: list = field(default_factory=list)  # requests this organisation sent, overdue
    newly_shared: list = field(default_factory=list)  # shares received in the last NEWLY_SHARED_DAYS

    @property
    def anything(self) -> bool:
        return bool(self.requests or self.in_progress or self.actions or self.suppliers_overdue or self.newly_shared)


def next_steps(membership: Membership, entries, today: datetime.date | None = None) -> NextSteps:
    today = today or timezone.localdate()
    org = membership.organisation_id
    steps = NextSteps(today=today)
    steps.requests = list(
        AssessmentRequest.objects.filter(supplier__organisation=org, is_current=True, status__in=AssessmentRequest.OPEN)
        .annotate(supplier_status=supplier_status("", today=today))
        .exclude(supplier_status=SupplierStatus.SHARED)
        .select_related("requester", "edition__guideline")
        .order_by("due_date", "pk")
    )
    steps.in_progress = [entry for entry in entries if not entry.assessment.is_frozen]
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due = Action.objects.filter(organisation=org, status__in=Action.OPEN, due_date__lte=soon)
    counts = due.aggregate(overdue=Count("pk", filter=Q(due_date__lt=today)), soon=Count("pk", filter=Q(due_date__gte=today)))
    steps.actions_overdue, steps.actions_due_soon = counts["overdue"], counts["soon"]
    steps.actions = list(due.select_related("owner").order_by("due_date", "pk")[:SHOWN])
    sent = AssessmentRequest.objects.filter(requester=org, is_current=True)
    steps.is_customer = sent.exists()
    if steps.is_customer:
        steps.suppliers_overdue = list(
            sent.annotate(supplier_status=supplier_status("", today=today))
            .filter(supplier_status=SupplierStatus.OVERDUE)
            .select_related("supplier", "edition__guideline")
            .order_by("due_date", "supplier__name", "pk")[: SHOWN + 1]
        )
    since = timezone.now() - datetime.timedelta(days=NEWLY_SHARED_DAYS)
    steps.newly_shared = list(
        Share.objects.filter(recipient=org, ended_at=None, shared_at__gte=since)
        .select_related("organisation", "edition__guideline")
        .order_by("-shared_at", "pk")[: SHOWN + 1]
    )
    return steps


@extensions.contributes(extensions.DASHBOARD)
def dashboard(membership, entries):
    return {"next_steps": next_steps(membership, entries)}
