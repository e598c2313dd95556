"""A member's to-dos (docs/rules.md, "Work shared among colleagues"), read for the to-do page
and counted for the menu, scoped to the acting membership.

Whose is an item of an assessment in progress: the member its label (top-level section) is
assigned to; while a label is assigned to nobody, the organisation's owners' (someone must
answer it before an owner submits). Such an item is a to-do while it is unanswered, or while
its rating carried over from last year awaits its yearly review. Besides: the open actions the
member owns that are overdue or due within DUE_SOON_DAYS; for members who answer, the requests
from customers their organisation has yet to answer (not declined, not yet shared) and the
assessments returned for rework or changed after approval; for owners, the assessments marked
ready for their approval.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer, Approval, Assessment
from keiretsu.catalogue.models import Item, Section
from keiretsu.supplychain.models import AssessmentRequest, Share

from .models import Action, SectionAssignment
from .selectors import DUE_SOON_DAYS

ACTIONS_SHOWN = 20  # the earliest due; the rest behind a link to the plan

# Sections nest at most three deep in the shipped and imported editions: an item's label is
# its section's outermost ancestor.
TOP_SECTION = Coalesce("section__parent__parent_id", "section__parent_id", "section_id")


def _item_pairs(membership: Membership):
    """Every (item, assessment in progress) of the organisation, with the item's label (`top`)
    and the assessment (`assessment_id`), restricted to the member's: one queryset."""
    pairs = Item.objects.filter(
        edition__assessments__organisation=membership.organisation_id,
        edition__assessments__status=Assessment.Status.DRAFT,
    ).annotate(assessment_id=F("edition__assessments__id"), top=TOP_SECTION)
    assigned = SectionAssignment.objects.filter(assessment=OuterRef("assessment_id"), section=OuterRef("top"))
    mine = Exists(assigned.filter(assignee=membership.user_id))
    if membership.can_manage:
        mine = mine | ~Exists(assigned)
    return pairs.filter(mine)


def _answer_of_pair():
    return Answer.objects.filter(assessment=OuterRef("assessment_id"), item=OuterRef("pk"))


def _unanswered():
    return ~Exists(_answer_of_pair().exclude(rating=""))


def _awaiting_review():
    return Exists(_answer_of_pair().filter(review_required=True, reviewed_at=None))


def _actions_due(membership: Membership, today: datetime.date):
    return Action.objects.filter(
        organisation=membership.organisation_id,
        owner=membership.user_id,
        status__in=Action.OPEN,
        due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    )


def _requests_to_answer(membership: Membership, today: datetime.date):
    """Current requests the organisation has to answer: awaiting its reply, or accepted and not
    yet shared with the customer who asked (as SupplierStatus would say: not SHARED)."""
    if not membership.can_answer:
        return AssessmentRequest.objects.none()
    shared = Share.objects.filter(
        organisation=membership.organisation_id, recipient=OuterRef("requester"), edition=OuterRef("edition"),
        fiscal_year=OuterRef("fiscal_year"), ended_at=None,
    )
    return AssessmentRequest.objects.filter(
        Q(status=AssessmentRequest.Status.PENDING) | Q(status=AssessmentRequest.Status.ACCEPTED) & ~Exists(shared),
        supplier__organisation=membership.organisation_id, is_current=True,
    )


def _approvals(membership: Membership):
    """Assessments in progress waiting for this member's step: ready (owners approve), returned
    or changed after approval (those who answer rework and mark them ready again)."""
    waiting = []
    if membership.can_submit:
        waiting.append(Approval.READY)
    if membership.can_answer:
        waiting += [Approval.RETURNED, Approval.CHANGED]
    return Assessment.objects.filter(
        organisation=membership.organisation_id, status=Assessment.Status.DRAFT, approval__in=waiting
    )


def _count(queryset):
    """COUNT(*) of a queryset as a scalar subquery (no GROUP BY: COUNT here is a plain function)."""
    counted = queryset.order_by().annotate(n=Func(Value(1), function="COUNT", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def todo_count(membership: Membership, today: datetime.date | None = None) -> int:
    """How many to-dos the member has (the menu's figure): one query."""
    today = today or timezone.localdate()
    items = _item_pairs(membership).filter(_unanswered() | _awaiting_review())
    counts = (
        Membership.objects.filter(pk=membership.pk)
        .values(
            items=_count(items),
            actions=_count(_actions_due(membership, today)),
            requests=_count(_requests_to_answer(membership, today)),
            approvals=_count(_approvals(membership)),
        )
        .first()
    )
    return sum(counts.values()) if counts else 0


@dataclass
class SectionTodo:
    assessment: Assessment
    section: Section
    unanswered: int
    awaiting_review: int
    assigned: bool  # False: a label assigned to nobody (an owner's until shared out)


@dataclass
class Todo:
    sections: list[SectionTodo]
    actions: list[Action]
    requests: list[AssessmentRequest]
    approvals: list[Assessment]
    today: datetime.date
    actions_total: int = 0  # the actions due, of which `actions` are the first ACTIONS_SHOWN
    unanswered: int = 0
    awaiting_review: int = 0
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.unanswered + self.awaiting_review + self.actions_total + len(self.requests) + len(self.approvals)

    @property
    def more_actions(self) -> int:
        return self.actions_total - len(self.actions)


def todo(membership: Membership, today: datetime.date | None = None) -> Todo:
    """The member's to-do page, in seven queries however many items, actions and requests."""
    today = today or timezone.localdate()
    mine = list(
        _item_pairs(membership)
        .order_by()
        .values("assessment_id", "top")
        .annotate(
            unanswered=Count("pk", filter=_unanswered()),
            awaiting_review=Count("pk", filter=_awaiting_review()),
            assigned=Count(
                "pk",
                filter=Exists(SectionAssignment.objects.filter(assessment=OuterRef("assessment_id"), section=OuterRef("top"))),
            ),
        )
        .filter(Q(unanswered__gt=0) | Q(awaiting_review__gt=0))
    )
    assessments = {
        a.pk: a
        for a in Assessment.objects.filter(pk__in={row["assessment_id"] for row in mine}).select_related(
            "scope__parent", "scope__organisation", "edition__guideline"
        )
    } if mine else {}
    sections = {s.pk: s for s in Section.objects.filter(pk__in={row["top"] for row in mine})} if mine else {}
    rows = [
        SectionTodo(
            assessment=assessments[row["assessment_id"]],
            section=sections[row["top"]],
            unanswered=row["unanswered"],
            awaiting_review=row["awaiting_review"],
            assigned=row["assigned"] > 0,
        )
        for row in mine
    ]
    rows.sort(key=lambda r: (r.assessment.scope.kind != "company", r.assessment.scope.display_name,
                             str(r.assessment.edition), r.section.position))
    due = _actions_due(membership, today)
    actions = list(
        due.select_related("scope__parent", "scope__organisation", "edition__guideline").order_by("due_date", "pk")[:ACTIONS_SHOWN]
    )
    actions_total = due.count()
    requests = list(
        _requests_to_answer(membership, today).select_related("requester", "edition__guideline").order_by("due_date", "pk")
    )
    approvals = list(
        _approvals(membership).select_related("scope__parent", "scope__organisation", "edition__guideline", "approval_by").order_by("approval_at", "pk")
    )
    return Todo(
        sections=rows,
        actions=actions,
        requests=requests,
        approvals=approvals,
        today=today,
        actions_total=actions_total,
        unanswered=sum(r.unanswered for r in rows),
        awaiting_review=sum(r.awaiting_review for r in rows),
    )
