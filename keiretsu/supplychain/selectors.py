"""Reads of the supply chain, always from the point of view of the acting membership.

Confidentiality rules, in one place:
- A customer sees its own supplier list and requests, and the status of each request (status
  counts travel up the tree: they say how far a supplier is, never how it scored).
- Scores are read only through an active `Share` whose recipient is the acting organisation,
  at the detail the supplier chose. Deeper suppliers that did not share with the viewer
  directly appear only in aggregates over at least BENCHMARK_MIN_GROUP_SIZE suppliers, and
  only with results they shared with their own customer in the tree.
- A supplier sees the requests addressed to it (its inbox) and its own shares.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.assessments.scoring import percent
from keiretsu.catalogue.models import Edition

from .models import (
    AssessmentRequest,
    Criticality,
    Reminder,
    RequestPath,
    Share,
    Supplier,
    SupplierInvitation,
    SupplierStatus,
)

Status = SupplierStatus


def min_group_size() -> int:
    return settings.BENCHMARK_MIN_GROUP_SIZE


# --- The status of a request, as an SQL expression --------------------------------------------


def status_expression(
    *, org, requester, request_status, due_date, linked, edition, fiscal_year, today, no_request=None
):
    """The SupplierStatus of a request, computed by the database.

    org / requester: expressions for the supplier's organisation and the customer (OuterRef
    or a constant); request_status / due_date / linked: field paths of the request's status,
    due date and the supplier's organisation. One rule for every view (list, inbox, tree).
    """
    assessments = Assessment.objects.filter(organisation=org, edition=edition, fiscal_year=fiscal_year)
    answers = Answer.objects.filter(
        assessment__organisation=org, assessment__edition=edition, assessment__fiscal_year=fiscal_year
    ).exclude(rating="")
    shared = Share.objects.filter(
        organisation=org, recipient=requester, edition=edition, fiscal_year=fiscal_year, ended_at=None
    )
    whens = []
    if no_request is not None:
        whens += [
            When(no_request & Q(**{f"{linked}__isnull": True}), then=Value(Status.INVITED)),
            When(no_request, then=Value(Status.NOT_REQUESTED)),
        ]
    whens += [
        When(Q(**{request_status: AssessmentRequest.Status.DECLINED}), then=Value(Status.DECLINED)),
        When(Q(**{f"{linked}__isnull": True}), then=Value(Status.INVITED)),
        When(Exists(shared), then=Value(Status.SHARED)),
        When(Exists(assessments.filter(status=Assessment.Status.SUBMITTED)), then=Value(Status.SUBMITTED)),
        When(Q(**{f"{due_date}__lt": today}), then=Value(Status.OVERDUE)),
        When(Exists(answers), then=Value(Status.IN_PROGRESS)),
    ]
    return Case(*whens, default=Value(Status.NOT_STARTED), output_field=IntegerField())


def _request_status(prefix, *, today, edition=None, fiscal_year=None):
    """status_expression for a queryset whose rows reach an AssessmentRequest through `prefix`."""
    return status_expression(
        org=OuterRef(f"{prefix}supplier__organisation"),
        requester=OuterRef(f"{prefix}requester"),
        request_status=f"{prefix}status",
        due_date=f"{prefix}due_date",
        linked=f"{prefix}supplier__organisation",
        edition=edition if edition is not None else OuterRef(f"{prefix}edition"),
        fiscal_year=fiscal_year if fiscal_year is not None else OuterRef(f"{prefix}fiscal_year"),
        today=today,
    )


# --- The supplier list (the customer's side) ---------------------------------------------------


def suppliers_of(membership: Membership):
    return Supplier.objects.filter(customer=membership.organisation_id)


def supplier_for(membership: Membership, supplier_id) -> Supplier:
    try:
        return suppliers_of(membership).select_related("organisation").get(pk=supplier_id)
    except Supplier.DoesNotExist:
        raise Http404 from None


@dataclass
class Focus:
    """Which fiscal year and edition a customer's views are about."""

    fiscal_year: int
    edition: Edition | None
    years: list[int]
    editions: list[Edition]


def focus_for(membership: Membership, query, *, current_year: int) -> Focus:
    """The year and edition asked for, else the current year and its most requested edition."""
    sent = AssessmentRequest.objects.filter(requester=membership.organisation_id, is_current=True)
    years = sorted(set(sent.values_list("fiscal_year", flat=True)) | {current_year}, reverse=True)
    try:
        fiscal_year = int(query.get("year", ""))
    except ValueError:
        fiscal_year = current_year
    if fiscal_year not in years:
        fiscal_year = current_year
    counts = dict(
        sent.filter(fiscal_year=fiscal_year).values_list("edition").annotate(n=Count("pk")).values_list("edition", "n")
    )
    editions = sorted(
        Edition.objects.filter(pk__in=counts).select_related("guideline"), key=lambda e: (-counts[e.pk], str(e))
    )
    chosen = next((e for e in editions if str(e.pk) == query.get("edition", "")), None)
    return Focus(fiscal_year, chosen or (editions[0] if editions else None), years, editions)


SORTS = {
    "criticality": ("criticality", "name"),
    "name": ("name",),
    "status": ("status", "criticality", "name"),
    "due": (F("due_date").asc(nulls_last=True), "criticality", "name"),
    "activity": (F("last_activity").desc(nulls_last=True), "name"),
}


def supplier_rows(
    membership: Membership, *, focus: Focus, today, status=None, criticality=None, search="", sort="criticality"
):
    """The customer's suppliers, each with its status on the focused edition and year, and the
    result it shared (if any): one query however many suppliers."""
    customer = membership.organisation_id
    edition, fiscal_year = focus.edition, focus.fiscal_year
    current = FilteredRelation(
        "requests",
        condition=Q(requests__is_current=True, requests__edition=edition, requests__fiscal_year=fiscal_year),
    )
    shares = Share.objects.filter(
        organisation=OuterRef("organisation"),
        recipient=customer,
        edition=edition,
        fiscal_year=fiscal_year,
        ended_at=None,
    ).order_by("-shared_at")
    assessments = Assessment.objects.filter(
        organisation=OuterRef("organisation"), edition=edition, fiscal_year=fiscal_year
    )
    rows = (
        suppliers_of(membership)
        .annotate(current=current)
        .annotate(
            request_id=F("current__id"),
            request_status=F("current__status"),
            due_date=F("current__due_date"),
            responded_at=F("current__responded_at"),
            status=status_expression(
                org=OuterRef("organisation"),
                requester=customer,
                request_status="current__status",
                due_date="current__due_date",
                linked="organisation",
                edition=edition,
                fiscal_year=fiscal_year,
                today=today,
                no_request=Q(current__id__isnull=True),
            ),
            share_id=Subquery(shares.values("pk")[:1]),
            share_detail=Subquery(shares.values("detail")[:1]),
            share_level=Subquery(shares.values("level_attained")[:1]),
            share_has_levels=Subquery(shares.values("has_levels")[:1]),
            share_rate=Subquery(shares.values("overall_rate")[:1]),
            share_weak=Subquery(shares.values("weak")[:1]),
            shared_at=Subquery(shares.values("shared_at")[:1]),
            assessment_activity=Subquery(assessments.order_by("-updated_at").values("updated_at")[:1]),
        )
        .annotate(
            # Greatest() is NULL on SQLite as soon as one argument is: give each a floor.
            last_activity=Greatest(
                Coalesce("responded_at", "current__created_at", "created_at"),
                Coalesce("assessment_activity", "current__created_at", "created_at"),
                Coalesce("shared_at", "current__created_at", "created_at"),
            ),
        )
    )
    if status:
        rows = rows.filter(status=status)
    if criticality:
        rows = rows.filter(criticality=criticality)
    if search:
        rows = rows.filter(
            Q(name__icontains=search) | Q(corporate_number__contains=search) | Q(contact_email__icontains=search)
        )
    return rows.order_by(*SORTS.get(sort, SORTS["criticality"]))


def status_counts(rows) -> dict[int, int]:
    """How many of the (unfiltered) rows are in each status: one grouped query."""
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Status.values}


def supplier_requests(membership: Membership, supplier: Supplier, *, today):
    """Every request to one supplier (all editions and years), with its status."""
    return (
        AssessmentRequest.objects.filter(requester=membership.organisation_id, supplier=supplier)
        .select_related("edition__guideline", "created_by")
        .annotate(supplier_status=_request_status("", today=today))
        .order_by("-fiscal_year", "-is_current", "edition__guideline__slug", "-created_at")
    )


def supplier_shares(membership: Membership, supplier: Supplier):
    """What this supplier shared with the customer, current and past (past ones: dates only)."""
    if supplier.organisation_id is None:
        return Share.objects.none()
    return (
        Share.objects.filter(recipient=membership.organisation_id, organisation=supplier.organisation_id)
        .select_related("edition__guideline", "scope__parent", "assessment")
        .order_by("-fiscal_year", "-shared_at")
    )


def supplier_invitations(supplier: Supplier):
    return SupplierInvitation.objects.filter(supplier=supplier).select_related("invited_by")


def request_reminders(membership: Membership, supplier: Supplier):
    return Reminder.objects.filter(
        request__requester=membership.organisation_id, request__supplier=supplier
    ).select_related("request__edition__guideline", "created_by")


def sent_request_for(membership: Membership, request_id) -> AssessmentRequest:
    try:
        return AssessmentRequest.objects.select_related("supplier", "edition__guideline").get(
            requester=membership.organisation_id, pk=request_id
        )
    except AssessmentRequest.DoesNotExist:
        raise Http404 from None


def share_received_for(membership: Membership, share_id) -> Share:
    """A share whose recipient is the acting organisation (active or not; the view shows only
    the dates of one that ended)."""
    try:
        return Share.objects.select_related(
            "organisation", "edition__guideline", "scope__parent", "scope__organisation", "assessment"
        ).get(recipient=membership.organisation_id, pk=share_id)
    except Share.DoesNotExist:
        raise Http404 from None


def shared_answers(share: Share) -> dict[int, Answer]:
    """Every answer of the shared (frozen) revision; only for an active share at full detail."""
    if not share.is_active or share.detail != Share.Detail.FULL:
        return {}
    return {a.item_id: a for a in Answer.objects.filter(assessment=share.assessment_id)}


# --- The inbox (the supplier's side) -----------------------------------------------------------


def inbox(membership: Membership, *, today, fiscal_year=None, state=""):
    """Requests addressed to the acting organisation, from all its customers."""
    requests = (
        AssessmentRequest.objects.filter(supplier__organisation=membership.organisation_id)
        .filter(Q(is_current=True) | Q(status=AssessmentRequest.Status.WITHDRAWN))
        .select_related("requester", "edition__guideline", "supplier", "parent__requester")
        .annotate(
            supplier_status=_request_status("", today=today),
            passed_on=Coalesce(
                Subquery(
                    AssessmentRequest.objects.filter(parent=OuterRef("pk"), is_current=True)
                    .order_by()
                    .values("parent")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
    )
    if fiscal_year:
        requests = requests.filter(fiscal_year=fiscal_year)
    if state == "open":
        requests = requests.filter(is_current=True, status__in=AssessmentRequest.OPEN)
    elif state in AssessmentRequest.Status.values:
        requests = requests.filter(status=state)
    return requests.order_by("-is_current", "due_date", "requester__name", "pk")


def inbox_request_for(membership: Membership, request_id) -> AssessmentRequest:
    try:
        return (
            AssessmentRequest.objects.filter(supplier__organisation=membership.organisation_id)
            .select_related("requester", "edition__guideline", "supplier", "parent__requester", "responded_by")
            .get(pk=request_id)
        )
    except AssessmentRequest.DoesNotExist:
        raise Http404 from None


def upstream_requests(request: AssessmentRequest):
    """The request and every request it was passed on from, nearest first."""
    return (
        AssessmentRequest.objects.filter(descendant_paths__descendant=request)
        .select_related("requester")
        .order_by("descendant_paths__depth")
    )


def share_recipients(request: AssessmentRequest) -> list:
    """Who the supplier may share with through this request: the customer that asked, and the
    customers above it in the chain (each only once, nearest first)."""
    recipients, seen = [], {request.supplier.organisation_id}
    for upstream in upstream_requests(request):
        if upstream.requester_id not in seen:
            seen.add(upstream.requester_id)
            recipients.append(upstream.requester)
    return recipients


def shareable_assessments(membership: Membership, request: AssessmentRequest) -> list[Assessment]:
    """The latest submitted revision of each scope, for the request's edition and year."""
    submitted = (
        Assessment.objects.filter(
            organisation=membership.organisation_id,
            edition=request.edition_id,
            fiscal_year=request.fiscal_year,
            status=Assessment.Status.SUBMITTED,
        )
        .select_related("scope__parent", "scope__organisation", "edition__guideline")
        .order_by("scope_id", "-revision")
    )
    latest = {}
    for assessment in submitted:
        latest.setdefault(assessment.scope_id, assessment)
    return list(latest.values())


def assessments_for_request(membership: Membership, request: AssessmentRequest):
    """The supplier's own assessments answering a request (every scope and revision)."""
    return (
        Assessment.objects.filter(
            organisation=membership.organisation_id, edition=request.edition_id, fiscal_year=request.fiscal_year
        )
        .select_related("scope__parent", "scope__organisation")
        .order_by("scope_id", "-revision")
    )


def shares_given(membership: Membership):
    return Share.objects.filter(organisation=membership.organisation_id).select_related(
        "recipient", "edition__guideline", "scope__parent", "scope__organisation", "assessment", "shared_by", "ended_by"
    )


def share_given_for(membership: Membership, share_id) -> Share:
    try:
        return shares_given(membership).get(pk=share_id)
    except Share.DoesNotExist:
        raise Http404 from None


def requests_to_pass_on(membership: Membership, ids) -> list[AssessmentRequest]:
    """Accepted, current requests of the inbox that ask to be passed on (among `ids`)."""
    return list(
        AssessmentRequest.objects.filter(
            supplier__organisation=membership.organisation_id,
            pk__in=ids,
            is_current=True,
            status=AssessmentRequest.Status.ACCEPTED,
            pass_on=True,
        ).select_related("requester", "edition__guideline")
    )


# --- The supply tree ---------------------------------------------------------------------------


@dataclass
class Aggregate:
    """Scores of the suppliers of a tier that shared within the tree but not with the viewer
    directly; shown only for at least k of them."""

    suppliers: int
    mean_rate: Decimal | None = None
    first_level_attained: int = 0
    with_levels: int = 0
    weak: int = 0

    @property
    def shown(self):
        return self.suppliers >= min_group_size()


@dataclass
class TierRow:
    tier: int
    known: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    aggregate: Aggregate | None = None
    shared_with_you: int = 0

    @property
    def submitted(self):
        return self.by_status.get(Status.SHARED, 0) + self.by_status.get(Status.SUBMITTED, 0)

    @property
    def coverage(self) -> Decimal | None:
        return _percent(self.submitted, self.known)


@dataclass
class Branch:
    supplier: Supplier
    status: int
    below: TierRow


@dataclass
class SupplyTree:
    edition: Edition | None
    fiscal_year: int
    tiers: list[TierRow]
    branches: list[Branch]
    k: int

    @property
    def total(self):
        return TierRow(
            0, sum(t.known for t in self.tiers), dict(sum((Counter(t.by_status) for t in self.tiers), Counter()))
        )


def _percent(part, whole) -> Decimal | None:
    # Shown like every other percentage: scoring.percent's rounding, "－" for no denominator.
    return percent(Fraction(part, whole)) if whole else None


def tree_paths(organisation_id, *, edition_id, fiscal_year):
    """Every (root, node) pair of a customer's tree: its own current requests and all the
    current requests passed on below them. One join on the closure table."""
    return RequestPath.objects.filter(
        ancestor__requester=organisation_id,
        ancestor__edition=edition_id,
        ancestor__fiscal_year=fiscal_year,
        ancestor__is_current=True,
        descendant__is_current=True,
    )


def _group_counts(queryset, keys: tuple[str, ...]) -> list[tuple]:
    """COUNT(*) of an aggregated queryset's rows grouped by some of its annotations (an SQL
    GROUP BY over a subquery, which the ORM cannot write)."""
    sql, params = queryset.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(key) for key in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, COUNT(*) FROM ({sql}) AS grouped GROUP BY {columns}", params)
        return cursor.fetchall()


def supply_tree(membership: Membership, *, focus: Focus, today) -> SupplyTree:
    """Per tier: suppliers known, counts by status, coverage, and scores only as aggregates
    over at least k suppliers. Per direct supplier: the counts of everything below it.

    A supplier reached by several paths counts once: at its nearest tier, with its best status.
    The number of queries does not depend on the size of the tree.
    """
    k = min_group_size()
    if focus.edition is None:
        return SupplyTree(None, focus.fiscal_year, [], [], k)
    edition, fiscal_year = focus.edition, focus.fiscal_year
    viewer = membership.organisation_id
    paths = tree_paths(viewer, edition_id=edition.pk, fiscal_year=fiscal_year)
    status = _request_status("descendant__", today=today, edition=edition.pk, fiscal_year=fiscal_year)
    supplier_key = F("descendant__supplier__corporate_number")

    # 1. Tiers: each supplier at its nearest depth, with its best status.
    per_supplier = paths.values(key=supplier_key).annotate(tier=Min("depth") + 1, rank=Min(status))
    tiers: dict[int, TierRow] = {}
    for tier, rank, count in _group_counts(per_supplier, ("tier", "rank")):
        row = tiers.setdefault(tier, TierRow(tier))
        row.known += count
        row.by_status[rank] = row.by_status.get(rank, 0) + count

    # 2. Aggregated scores per tier, over results shared with someone in the tree (the
    # supplier's own customer). Individual scores are not read here.
    shared = (
        Share.objects.filter(
            ended_at=None,
            request__is_current=True,
            request__ancestor_paths__ancestor__requester=viewer,
            request__ancestor_paths__ancestor__edition=edition.pk,
            request__ancestor_paths__ancestor__fiscal_year=fiscal_year,
            request__ancestor_paths__ancestor__is_current=True,
        )
        .values(key=F("organisation__corporate_number"))
        .annotate(
            tier=Min("request__ancestor_paths__depth") + 1,
            rate=Avg("overall_rate"),  # several factories shared: their mean
            weak=Max(Case(When(weak=True, then=1), default=0)),
            levels=Max(Case(When(has_levels=True, then=1), default=0)),
            attained=Min(Case(When(Q(has_levels=True) & ~Q(level_attained=""), then=1), default=0)),
            direct=Max(Case(When(recipient=viewer, then=1), default=0)),
        )
    )
    # Results the viewer sees individually are left out of the averages: otherwise, with k
    # results of which k-1 are shared with it directly, the average would give the last one away.
    sql, params = shared.query.sql_with_params()
    others = "CASE WHEN direct = 0 THEN {} END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tier, SUM({others.format(1)}), AVG({others.format('rate')}), SUM({others.format('weak')}), "
            f"SUM({others.format('levels')}), SUM({others.format('attained * levels')}), SUM(direct) "
            f"FROM ({sql}) AS shared GROUP BY tier",
            params,
        )
        for tier, count, mean, weak, levels, attained, direct in cursor.fetchall():
            row = tiers.setdefault(tier, TierRow(tier))
            mean = None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            row.aggregate = Aggregate(int(count or 0), mean, int(attained or 0), int(levels or 0), int(weak or 0))
            row.shared_with_you = int(direct or 0)

    # 3. Branches: every direct supplier with its own status and the counts below it.
    own = dict(
        paths.filter(depth=0)
        .values("ancestor__supplier")
        .annotate(rank=Min(status))
        .values_list("ancestor__supplier", "rank")
    )
    below_rows = (
        paths.filter(depth__gte=1).values(branch=F("ancestor__supplier"), key=supplier_key).annotate(rank=Min(status))
    )
    below: dict[int, TierRow] = defaultdict(lambda: TierRow(0))
    for branch, rank, count in _group_counts(below_rows, ("branch", "rank")):
        below[branch].known += count
        below[branch].by_status[rank] = below[branch].by_status.get(rank, 0) + count
    suppliers = Supplier.objects.filter(pk__in=own).order_by("criticality", "name")
    branches = [Branch(s, own[s.pk], below[s.pk]) for s in suppliers]
    return SupplyTree(edition, fiscal_year, [tiers[t] for t in sorted(tiers)], branches, k)


def _viewer_depth(viewer, edition=None, fiscal_year=None):
    """The tier (1 = direct) at which a share's request sits in the viewer's tree."""
    paths = RequestPath.objects.filter(
        descendant=OuterRef("request"),
        ancestor__requester=viewer,
        ancestor__edition=OuterRef("edition"),
        ancestor__fiscal_year=OuterRef("fiscal_year"),
        ancestor__is_current=True,
    )
    return Subquery(paths.order_by("depth").values("depth")[:1]) + 1


def _viewer_criticality(viewer):
    """How critical a supplier is to the viewer: the viewer's own rating of it where it is a
    direct supplier, else that of the most critical direct supplier it is reached through."""
    own = Supplier.objects.filter(customer=viewer, corporate_number=OuterRef("organisation__corporate_number"))
    through = RequestPath.objects.filter(
        descendant=OuterRef("request"), ancestor__requester=viewer, ancestor__is_current=True
    ).order_by("ancestor__supplier__criticality")
    return Coalesce(
        Subquery(own.values("criticality")[:1]),
        Subquery(through.values("ancestor__supplier__criticality")[:1]),
        Value(Criticality.LOW),
    )


def results_shared_with(membership: Membership, *, focus: Focus):
    """Results shared with the viewer directly, for the focused edition and year, with the tier
    each supplier sits at in the viewer's tree (None: not in the tree any more)."""
    viewer = membership.organisation_id
    return (
        Share.objects.filter(recipient=viewer, ended_at=None, edition=focus.edition, fiscal_year=focus.fiscal_year)
        .select_related("organisation", "scope__parent", "scope__organisation")
        .annotate(tier=_viewer_depth(viewer), criticality=_viewer_criticality(viewer))
        .order_by(F("tier").asc(nulls_last=True), "criticality", "organisation__name", "scope_id")
    )


def weakest_links(membership: Membership, *, fiscal_year, edition=None):
    """Suppliers at any tier whose result, shared with the viewer directly, shows the first
    level not attained or a priority item not achieved; most critical first, then the widest gap."""
    viewer = membership.organisation_id
    shares = Share.objects.filter(recipient=viewer, ended_at=None, weak=True, fiscal_year=fiscal_year)
    if edition is not None:
        shares = shares.filter(edition=edition)
    return (
        shares.select_related("organisation", "edition__guideline", "scope__parent", "scope__organisation")
        .annotate(tier=_viewer_depth(viewer), criticality=_viewer_criticality(viewer))
        .order_by("criticality", "-gap", "-priority_missing", "organisation__name", "pk")
    )
