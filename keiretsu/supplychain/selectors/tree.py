"""The supply tree: per tier, suppliers known, counts by status, coverage, and scores only as
aggregates over at least k suppliers; the results shared with the viewer; the weakest links."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Case, Count, F, Max, Min, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from keiretsu.accounts.models import Membership
from keiretsu.catalogue.models import Edition
from keiretsu.programme.disclosure import min_group_size
from keiretsu.programme.scoring import mean_rate, percent

from ..models import Criticality, RequestPath, Share, Supplier, SupplierStatus
from .status import supplier_status
from .suppliers import Focus


@dataclass
class Aggregate:
    """Scores of the suppliers of a tier that shared within the tree but not with the viewer
    directly. Only for at least k of them are the figures computed at all (docs/rules.md, "k");
    below k they are None and `shown` is False."""

    suppliers: int
    shown: bool = False
    mean_rate: Decimal | None = None  # scoring.percent of the exact mean of the suppliers' rates
    first_level_attained: int | None = None
    with_levels: int | None = None
    weak: int | None = None


@dataclass
class TierRow:
    tier: int
    known: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    aggregate: Aggregate | None = None
    shared_with_you: int = 0

    @property
    def submitted(self):
        return self.by_status.get(SupplierStatus.SHARED, 0) + self.by_status.get(SupplierStatus.SUBMITTED, 0)

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
    status = supplier_status("descendant__", today=today, edition=edition.pk, fiscal_year=fiscal_year)
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
    for tier, aggregate, direct in _tier_aggregates(viewer, edition.pk, fiscal_year, k):
        row = tiers.setdefault(tier, TierRow(tier))
        row.aggregate, row.shared_with_you = aggregate, direct

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


def _tier_aggregates(viewer, edition_id, fiscal_year, k) -> list[tuple[int, Aggregate, int]]:
    """(tier, aggregate, results shared with the viewer directly) per tier: one query.

    Results the viewer sees individually are left out of the aggregates: otherwise, with k
    results of which k-1 are shared with it directly, the average would give the last one
    away. A supplier that shared several factories counts once, with the mean of their rates.
    The average is the exact mean of the suppliers' exact rates (achieved / applicable, from
    the shares' counts), by scoring.mean_rate and percent(): the same on every database.

    The database returns the shares grouped by what the sums need (the supplier's tier, its
    number of shares and of rated ones, its flags, and the share's achieved / applicable, the
    supplier's values taken over all its shares by window functions): a row per distinct
    combination, however many suppliers. A supplier's n shares each stand for 1/n of it.
    """
    by_supplier = [F("organisation__corporate_number")]

    def over_supplier(aggregate):
        return Window(aggregate, partition_by=by_supplier)

    def flag(condition):
        return Case(When(condition, then=1), default=0)

    rows = (
        Share.objects.filter(
            ended_at=None,
            request__is_current=True,
            request__ancestor_paths__ancestor__requester=viewer,
            request__ancestor_paths__ancestor__edition=edition_id,
            request__ancestor_paths__ancestor__fiscal_year=fiscal_year,
            request__ancestor_paths__ancestor__is_current=True,
        )
        .annotate(
            depth=over_supplier(Min("request__ancestor_paths__depth")),
            shares=over_supplier(Count("pk")),
            rated=over_supplier(Sum(flag(Q(overall_applicable__gt=0)))),
            weak_link=over_supplier(Max(flag(Q(weak=True)))),
            levels=over_supplier(Max(flag(Q(has_levels=True)))),
            attained=over_supplier(Min(flag(Q(has_levels=True) & ~Q(level_attained="")))),
            direct=over_supplier(Max(flag(Q(recipient=viewer)))),
        )
        .values("depth", "shares", "rated", "weak_link", "levels", "attained", "direct")
        .annotate(achieved=F("overall_achieved"), applicable=F("overall_applicable"))
    )
    sql, params = rows.query.sql_with_params()
    columns = "depth, shares, rated, weak_link, levels, attained, direct, achieved, applicable"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, COUNT(*) FROM ({sql}) AS shared GROUP BY {columns}", params)
        grouped = cursor.fetchall()

    sums = defaultdict(lambda: defaultdict(Fraction))
    rates = defaultdict(list)
    for depth, shares, rated, weak, levels, attained, direct, achieved, applicable, n in grouped:
        tier, suppliers = depth + 1, Fraction(n, shares)
        if direct:
            sums[tier]["direct"] += suppliers
            continue
        sums[tier]["count"] += suppliers
        sums[tier]["weak"] += suppliers * weak
        sums[tier]["levels"] += suppliers * levels
        sums[tier]["attained"] += suppliers * attained * levels
        if applicable:
            rates[tier].append((Fraction(achieved, applicable), Fraction(n, rated)))

    result = []
    for tier, total in sums.items():
        count, direct = int(total["count"]), int(total["direct"])
        if count < k:  # suppressed: nothing of the scores goes into what the page receives
            result.append((tier, Aggregate(count), direct))
            continue
        mean = percent(mean_rate(rates[tier]))
        aggregate = Aggregate(count, True, mean, int(total["attained"]), int(total["levels"]), int(total["weak"]))
        result.append((tier, aggregate, direct))
    return result


def _viewer_depth(viewer):
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
