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

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer, Approval, Assessment
from keiretsu.catalogue.models import Item, Section
from keiretsu.supplychain.models import AssessmentRequest, Share

from .models import Action, SectionAssignment
from .selectors import DUE_SOON_DAYS

ACTIONS_SHOWN = 20  # the earliest due; the rest behind a link to the plan

# Sections nest at most three deep in the shipped and imported editions: an item's label is
# its section's outermost ancestor (COALESCE of grandparent, parent, itself: _my_items_sql).


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


def _waiting_approvals(membership: Membership) -> list[str]:
    """The approval states that wait for this member's step: ready (owners approve), returned or
    changed after approval (those who answer rework and mark them ready again)."""
    waiting = []
    if membership.can_submit:
        waiting.append(Approval.READY)
    if membership.can_answer:
        waiting += [Approval.RETURNED, Approval.CHANGED]
    return waiting


def _approvals(membership: Membership):
    return Assessment.objects.filter(
        organisation=membership.organisation_id, status=Assessment.Status.DRAFT, approval__in=_waiting_approvals(membership)
    )


def _tables() -> dict[str, str]:
    from keiretsu.supplychain.models import Supplier

    return {model.__name__: model._meta.db_table for model in (
        Item, Section, Assessment, Answer, SectionAssignment, Action, AssessmentRequest, Share, Supplier)}


def _my_items_sql(membership: Membership) -> tuple[str, str, str, str, list]:
    """The rule of whose item is a to-do, in SQL (docs/rules.md, "Work shared among
    colleagues"): FROM ... WHERE for the member's (item i, assessment a in progress) pairs, and
    the expressions of the pair's label, of "unanswered" and of "awaiting its review"; with the
    parameters of the FROM ... WHERE. Written out: it runs on every page (the menu's count), and
    the ORM's compilation of it cost several times its execution."""
    t = _tables()
    label = "COALESCE(p.parent_id, s.parent_id, s.id)"
    assigned = f"SELECT 1 FROM {t['SectionAssignment']} g WHERE g.assessment_id = a.id AND g.section_id = {label}"
    answer = f"SELECT 1 FROM {t['Answer']} w WHERE w.assessment_id = a.id AND w.item_id = i.id"
    mine = f"EXISTS ({assigned} AND g.assignee_id = %s)"
    if membership.can_manage:  # a label assigned to nobody is the owners'
        mine = f"({mine} OR NOT EXISTS ({assigned}))"
    from_where = f"""FROM {t['Item']} i
        JOIN {t['Assessment']} a ON a.edition_id = i.edition_id
        JOIN {t['Section']} s ON s.id = i.section_id
        LEFT JOIN {t['Section']} p ON p.id = s.parent_id
        WHERE a.organisation_id = %s AND a.status = %s AND {mine}"""
    unanswered = f"NOT EXISTS ({answer} AND w.rating <> '')"
    awaiting = f"EXISTS ({answer} AND w.review_required = %s AND w.reviewed_at IS NULL)"
    return from_where, label, unanswered, awaiting, [membership.organisation_id, Assessment.Status.DRAFT, membership.user_id]


def todo_count(membership: Membership, today: datetime.date | None = None) -> int:
    """How many to-dos the member has (the menu's figure, on every page): one query. The same
    rule as todo(); tests hold the two equal."""
    today = today or timezone.localdate()
    t = _tables()
    org, user = membership.organisation_id, membership.user_id
    from_where, _label, unanswered, awaiting, params = _my_items_sql(membership)
    terms = [
        f"(SELECT COUNT(*) {from_where} AND ({unanswered} OR {awaiting}))",
        f"""(SELECT COUNT(*) FROM {t['Action']} WHERE organisation_id = %s AND owner_id = %s
             AND status IN (%s, %s) AND due_date <= %s)""",
    ]
    params += [True, org, user, *Action.OPEN, today + datetime.timedelta(days=DUE_SOON_DAYS)]
    if membership.can_answer:
        terms.append(f"""(SELECT COUNT(*) FROM {t['AssessmentRequest']} r JOIN {t['Supplier']} su ON su.id = r.supplier_id
             WHERE su.organisation_id = %s AND r.is_current = %s AND (r.status = %s OR (r.status = %s AND NOT EXISTS (
               SELECT 1 FROM {t['Share']} sh WHERE sh.organisation_id = %s AND sh.recipient_id = r.requester_id
               AND sh.edition_id = r.edition_id AND sh.fiscal_year = r.fiscal_year AND sh.ended_at IS NULL))))""")
        params += [org, True, AssessmentRequest.Status.PENDING, AssessmentRequest.Status.ACCEPTED, org]
    waiting = _waiting_approvals(membership)
    if waiting:
        terms.append(f"""(SELECT COUNT(*) FROM {t['Assessment']} WHERE organisation_id = %s AND status = %s
             AND approval IN ({", ".join(["%s"] * len(waiting))}))""")
        params += [org, Assessment.Status.DRAFT, *waiting]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(terms), params)
        return cursor.fetchone()[0] or 0


def _my_labels(membership: Membership) -> list[dict]:
    """Per assessment in progress and label of the member's: how many items are unanswered,
    how many await their review, and whether the label is assigned to someone. One query."""
    from_where, label, unanswered, awaiting, params = _my_items_sql(membership)
    t = _tables()
    assigned = f"EXISTS (SELECT 1 FROM {t['SectionAssignment']} g WHERE g.assessment_id = a.id AND g.section_id = {label})"
    sql = f"""SELECT a.id, {label},
            SUM(CASE WHEN {unanswered} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {awaiting} THEN 1 ELSE 0 END),
            MAX(CASE WHEN {assigned} THEN 1 ELSE 0 END)
        {from_where}
        GROUP BY a.id, {label}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *params])
        rows = cursor.fetchall()
    return [
        {"assessment_id": a, "top": top, "unanswered": n or 0, "awaiting_review": r or 0, "assigned": bool(g)}
        for a, top, n, r, g in rows if (n or 0) + (r or 0)
    ]


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
    mine = _my_labels(membership)
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
            assigned=row["assigned"],
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
