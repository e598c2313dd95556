"""Reads of the improvement plan, scoped to the acting member's organisation."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.http import Http404
from django.utils import timezone

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.assessments.selectors import ScoredAssessment
from keiretsu.catalogue.models import Edition
from keiretsu.catalogue.selectors import edition_structures
from keiretsu.lib.fiscal_year import bounds, fiscal_year_of
from keiretsu.programme import scoring, targets

from keiretsu.supplychain.models import Share

from .models import Action, Evidence, SectionAssignment, Target


def end_of_fiscal_year(today: datetime.date | None = None) -> datetime.date:
    """The default target date: the end of the current fiscal year (31 March)."""
    today = today or timezone.localdate()
    return bounds(fiscal_year_of(today))[1]


@dataclass(frozen=True)
class EffectiveTarget:
    """The target an organisation has for an edition: its own, or the programme's default."""

    edition: Edition
    level: str
    target_date: datetime.date
    is_default: bool

    @property
    def level_title(self) -> str:
        return self.edition.level_title(self.level)


def default_target(organisation, edition: Edition) -> EffectiveTarget | None:
    level = targets.default_target(
        levels=edition.level_codes,
        tier=organisation.tier,
        business_type=organisation.business_type,
        size_band=organisation.size_band,
    )
    if level is None:
        return None
    return EffectiveTarget(edition, level, end_of_fiscal_year(), is_default=True)


def targets_for(membership: Membership, editions) -> dict[int, EffectiveTarget]:
    """Each edition's target (edition pk -> target) in one query; editions without levels have none."""
    return organisation_targets(membership.organisation, editions)


def organisation_targets(organisation, editions) -> dict[int, EffectiveTarget]:
    """targets_for, for a reader that already holds the organisation (the management report of
    an assessment read through assessments.selectors.assessment_for)."""
    editions = {edition.pk: edition for edition in editions if edition.level_codes}
    if not editions:
        return {}
    stored = {
        t.edition_id: t
        for t in Target.objects.filter(organisation=organisation.pk, edition__in=list(editions))
    }
    result = {}
    for pk, edition in editions.items():
        own = stored.get(pk)
        if own is not None and own.level in edition.level_codes:
            result[pk] = EffectiveTarget(edition, own.level, own.target_date, is_default=False)
        else:
            target = default_target(organisation, edition)
            if target is not None:
                result[pk] = target
    return result


def target_for(membership: Membership, edition: Edition) -> EffectiveTarget | None:
    """One edition's target: one query, also for an edition without levels (so that a page
    takes the same queries whichever edition it shows)."""
    own = Target.objects.filter(organisation=membership.organisation_id, edition=edition.pk).first()
    if own is not None and own.level in edition.level_codes:
        return EffectiveTarget(edition, own.level, own.target_date, is_default=False)
    return default_target(membership.organisation, edition)


def ratings_by_number(scored: ScoredAssessment) -> dict[str, str]:
    numbers = {item.pk: item.number for item in scored.structure.items}
    return {numbers[item_id]: a.rating for item_id, a in scored.answers.items() if item_id in numbers}


def gap_of(scored: ScoredAssessment, target: EffectiveTarget | None, ratings: dict[str, str] | None = None):
    """The gap of one assessment to its target (scoring.gap_to_target), or None (no levels)."""
    if target is None:
        return None
    edition = scored.structure.edition
    return scoring.gap_to_target(
        scale=edition.rating_scale,
        levels=edition.level_codes,
        items=scored.structure.scored_items(),
        ratings=ratings_by_number(scored) if ratings is None else ratings,
        target=target.level,
    )


def ratings_of(assessment_ids) -> dict[int, dict[int, str]]:
    """Ratings of several assessments (assessment pk -> item pk -> rating), one query: the
    dashboard reads frozen scores of submitted ones and their gaps need the ratings too."""
    result: dict[int, dict[int, str]] = {pk: {} for pk in assessment_ids}
    for assessment_id, item_id, rating in Answer.objects.filter(assessment__in=list(assessment_ids)).values_list(
        "assessment_id", "item_id", "rating"
    ):
        result[assessment_id][item_id] = rating
    return result


# --- Improvement actions: the plan page and the checklist -----------------------------------

PAGE_SIZE = 50
DUE_SOON_DAYS = 30


def actions_of(membership: Membership):
    return Action.objects.filter(organisation=membership.organisation_id).select_related(
        "owner", "scope__parent", "scope__organisation", "edition__guideline"
    )


def action_for(membership: Membership, action_id) -> Action:
    """The action, if it belongs to the member's organisation; 404 otherwise."""
    try:
        return actions_of(membership).get(pk=action_id)
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def action_items(action_ids) -> dict[int, list[int]]:
    """Item pks of each action (action pk -> item pks), one query."""
    result: dict[int, list[int]] = defaultdict(list)
    for action_id, item_id in Action.items.through.objects.filter(action__in=list(action_ids)).values_list(
        "action_id", "item_id"
    ):
        result[action_id].append(item_id)
    return result


def gaps_of(membership: Membership, pairs, structures=None) -> dict[tuple[int, int], frozenset[str]]:
    """For each (scope pk, edition pk): the item numbers in the gap to the organisation's
    target, in the latest assessment of that scope and edition (none yet: nothing achieved).
    Five queries however many pairs; editions without levels have an empty gap."""
    pairs = set(pairs)
    if not pairs:
        return {}
    latest = {}
    for assessment in (
        Assessment.objects.filter(
            organisation=membership.organisation_id,
            scope__in={scope for scope, _ in pairs},
            edition__in={edition for _, edition in pairs},
        )
        .only("pk", "scope_id", "edition_id")
        .order_by("-fiscal_year", "-revision")
    ):
        latest.setdefault((assessment.scope_id, assessment.edition_id), assessment.pk)
    if structures is None:
        editions = {e.pk: e for e in Edition.objects.filter(pk__in={edition for _, edition in pairs}).select_related("guideline")}
        structures = edition_structures(editions.values())
    else:  # the caller read them (plan_order)
        editions = {pk: structure.edition for pk, structure in structures.items()}
    found = targets_for(membership, editions.values())
    ratings = ratings_of([pk for pair, pk in latest.items() if pair in pairs])
    result = {}
    for scope_id, edition_id in pairs:
        target, structure = found.get(edition_id), structures[edition_id]
        if target is None:
            result[(scope_id, edition_id)] = frozenset()
            continue
        numbers = {item.pk: item.number for item in structure.items}
        by_number = {numbers[i]: r for i, r in ratings.get(latest.get((scope_id, edition_id)), {}).items() if i in numbers}
        gap = scoring.gap_to_target(
            scale=structure.edition.rating_scale,
            levels=structure.edition.level_codes,
            items=structure.scored_items(),
            ratings=by_number,
            target=target.level,
        )
        result[(scope_id, edition_id)] = gap.items if gap else frozenset()
    return result


@dataclass
class PlanRow:
    action: Action
    items: list  # catalogue Items, in document order
    closes: int  # how many of its items are in the gap to target: what the plan sorts by first
    overdue: bool

    @property
    def level(self) -> str:
        return self.items[0].level if self.items else ""


@dataclass
class PlanFilter:
    status: str = "open"  # "open", "all" or one status
    owner: str = ""  # a user pk, or ""
    due: str = ""  # "overdue", "soon" or ""
    level: str = ""
    edition: str = ""  # an edition pk, or ""

    STATUSES = ("open", "all", *Action.Status.values)

    @classmethod
    def from_query(cls, query):
        status = query.get("status", "open")
        due = query.get("due", "")
        return cls(
            status=status if status in cls.STATUSES else "open",
            owner=query.get("owner", "")[:12] if query.get("owner", "").isdigit() else "",
            due=due if due in ("overdue", "soon") else "",
            level=query.get("level", "")[:32],
            edition=query.get("edition", "")[:12] if query.get("edition", "").isdigit() else "",
        )

    def apply(self, actions, today: datetime.date):
        if self.status == "open":
            actions = actions.filter(status__in=Action.OPEN)
        elif self.status != "all":
            actions = actions.filter(status=self.status)
        if self.owner:
            actions = actions.filter(owner=int(self.owner))
        if self.edition:
            actions = actions.filter(edition=int(self.edition))
        if self.due == "overdue":
            actions = actions.filter(status__in=Action.OPEN, due_date__lt=today)
        elif self.due == "soon":
            actions = actions.filter(
                status__in=Action.OPEN, due_date__gte=today, due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
            )
        if self.level:
            actions = actions.filter(items__level=self.level).distinct()
        return actions


@dataclass
class Plan:
    page: object  # django.core.paginator.Page of PlanRow
    filter: PlanFilter
    total: int
    overdue: int
    members: list
    editions: list
    levels: list[str] = field(default_factory=list)
    query_without_page: str = ""
    statuses = Action.Status.choices
    # Every filtered action, as rows in the plan's order (the CSV export): read on first use.
    all_actions: object = None
    today: datetime.date | None = None
    membership: object = None

    @cached_property
    def rows(self) -> list[PlanRow]:
        return plan_rows(self.membership, self.all_actions, self.today)


def sort_key(row: PlanRow, level_order: dict[str, int]):
    """What closes the gap to target first: more gap items first, then the lower level, then
    the earlier due date (docs/rules.md, "Improvement actions"). plan_order sorts by the same
    key, computed from the actions' keys without reading them whole."""
    return (-row.closes, level_order.get(row.level, 99), row.action.due_date, row.action.pk)


def _level_order(structures) -> dict[str, int]:
    return {code: index for s in structures.values() for index, code in enumerate(s.edition.level_codes)}


def plan_rows(
    membership: Membership, actions, today: datetime.date, *, gaps=None, structures=None, ordered=False
) -> list[PlanRow]:
    """Rows for these actions (a queryset of actions_of), sorted by what closes the gap first,
    in a constant number of queries (`ordered`: already in that order, as plan_order gives;
    `gaps` and `structures`: as plan_order read them)."""
    actions = list(actions)
    items_of = action_items([a.pk for a in actions])
    if gaps is None:
        gaps = gaps_of(membership, {(a.scope_id, a.edition_id) for a in actions})
    if structures is None:
        structures = edition_structures({a.edition_id: a.edition for a in actions}.values())
    items_by_pk = {item.pk: item for structure in structures.values() for item in structure.items}
    rows = []
    for action in actions:
        items = sorted((items_by_pk[pk] for pk in items_of[action.pk] if pk in items_by_pk), key=lambda i: i.position)
        in_gap = gaps.get((action.scope_id, action.edition_id), frozenset())
        closes = sum(1 for item in items if item.number in in_gap) if action.is_open else 0
        rows.append(PlanRow(action, items, closes, action.is_overdue(today)))
    if not ordered:
        level_order = _level_order(structures)
        rows.sort(key=lambda row: sort_key(row, level_order))
    return rows


def plan_order(membership: Membership, actions):
    """The pks of these actions in the plan's order (sort_key), from their keys and item links
    alone (no action is read whole), so that a page of 50 reads 50 actions however many there
    are; with the due dates and statuses (to count the overdue ones), the gaps and the structures
    it used (for plan_rows). Five queries and the edition structures."""
    keys = list(actions.order_by().values_list("pk", "scope_id", "edition_id", "status", "due_date"))
    pairs = {(scope_id, edition_id) for _, scope_id, edition_id, _, _ in keys}
    structures = edition_structures(Edition.objects.filter(pk__in={e for _, e in pairs}).select_related("guideline"))
    gaps = gaps_of(membership, pairs, structures)
    items_by_pk = {item.pk: item for structure in structures.values() for item in structure.items}
    items_of = defaultdict(list)
    for action_id, item_id in Action.items.through.objects.filter(action__in=actions.order_by().values("pk")).values_list(
        "action_id", "item_id"
    ):
        if item_id in items_by_pk:
            items_of[action_id].append(items_by_pk[item_id])
    level_order = _level_order(structures)
    sortable = []
    for pk, scope_id, edition_id, status, due_date in keys:
        items = sorted(items_of[pk], key=lambda i: i.position)
        in_gap = gaps.get((scope_id, edition_id), frozenset())
        closes = sum(1 for item in items if item.number in in_gap) if status in Action.OPEN else 0
        level = items[0].level if items else ""
        sortable.append(((-closes, level_order.get(level, 99), due_date, pk), status, due_date))
    sortable.sort(key=lambda row: row[0])
    return [row[0][3] for row in sortable], [(status, due) for _, status, due in sortable], gaps, structures


def plan(membership: Membership, query, today: datetime.date | None = None) -> Plan:
    """The organisation's plan page: its actions filtered, sorted by what closes the gap first;
    one page of rows read, in a constant number of queries however many actions there are."""
    today = today or timezone.localdate()
    plan_filter = PlanFilter.from_query(query)
    filtered = plan_filter.apply(actions_of(membership), today)
    ordered, states, gaps, structures = plan_order(membership, filtered)
    page = Paginator(ordered, PAGE_SIZE).get_page(query.get("page"))
    found = actions_of(membership).in_bulk(list(page.object_list))
    page.object_list = plan_rows(
        membership, [found[pk] for pk in page.object_list if pk in found], today, gaps=gaps, structures=structures, ordered=True
    )
    members = list(
        Membership.objects.filter(organisation=membership.organisation_id).select_related("user").order_by("user__name", "user__email")
    )
    used = list(Edition.objects.filter(pk__in=Action.objects.filter(organisation=membership.organisation_id).values("edition")).select_related("guideline"))
    levels = sorted({code for edition in used for code in edition.level_codes})
    rest = query.copy() if hasattr(query, "copy") else dict(query)
    rest.pop("page", None)
    return Plan(
        query_without_page=rest.urlencode() if hasattr(rest, "urlencode") else "",
        page=page,
        filter=plan_filter,
        total=len(ordered),
        overdue=sum(1 for status, due in states if status in Action.OPEN and due < today),
        members=members,
        editions=used,
        levels=levels,
        all_actions=filtered,
        today=today,
        membership=membership,
    )


@dataclass
class ItemAction:
    action: Action
    overdue: bool


def checklist_actions(membership: Membership, assessment, today: datetime.date | None = None) -> dict[int, list[ItemAction]]:
    """The actions shown on an assessment's items (item pk -> actions): those of its scope and
    edition still open, and those closed since its fiscal year began. Two queries."""
    today = today or timezone.localdate()
    start = bounds(assessment.fiscal_year)[0]
    actions = list(
        Action.objects.filter(organisation=membership.organisation_id, scope=assessment.scope_id, edition=assessment.edition_id)
        .filter(Q(status__in=Action.OPEN) | Q(closed_at__date__gte=start))
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    items_of = action_items([a.pk for a in actions])
    result: dict[int, list[ItemAction]] = defaultdict(list)
    for action in actions:
        for item_id in items_of[action.pk]:
            result[item_id].append(ItemAction(action, action.is_overdue(today)))
    return result


def latest_assessment_of(membership: Membership, scope_id, edition_id):
    """The latest assessment of a scope and edition (where an action's items are re-rated)."""
    return (
        Assessment.objects.filter(organisation=membership.organisation_id, scope=scope_id, edition=edition_id)
        .order_by("-fiscal_year", "-revision")
        .first()
    )


def plannable(membership: Membership) -> list:
    """The latest assessment of each scope and edition: what a new action can be for."""
    latest = {}
    for assessment in (
        Assessment.objects.filter(organisation=membership.organisation_id)
        .select_related("scope__parent", "scope__organisation", "edition__guideline")
        .order_by("-fiscal_year", "-revision")
    ):
        latest.setdefault((assessment.scope_id, assessment.edition_id), assessment)
    return sorted(latest.values(), key=lambda a: (a.scope.kind != "company", a.scope.display_name, str(a.edition)))


# --- Evidence files ------------------------------------------------------------------------------

def evidence_for_download(membership: Membership, evidence_id) -> Evidence:
    """An evidence file the member may download (docs/rules.md, "Evidence files"): their own
    organisation's; or, for a customer, evidence of an answer of an assessment its supplier
    shares with it in full (an active share). Anything else, deleted files too, answers 404."""
    evidence = Evidence.objects.filter(pk=evidence_id, deleted_at=None).exclude(file="").first()
    if evidence is None:
        raise Http404
    if evidence.organisation_id == membership.organisation_id:
        return evidence
    if evidence.assessment_id and Share.objects.filter(
        organisation=evidence.organisation_id,
        recipient=membership.organisation_id,
        assessment=evidence.assessment_id,
        detail=Share.Detail.FULL,
        ended_at=None,
    ).exists():
        return evidence
    raise Http404


def evidence_own(membership: Membership, evidence_id) -> Evidence:
    """One of the organisation's evidence records (also a deleted one); 404 otherwise."""
    evidence = (
        Evidence.objects.filter(pk=evidence_id, organisation=membership.organisation_id)
        .select_related("assessment", "item", "action")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def evidence_by_item(assessment_id) -> dict[int, list[Evidence]]:
    """An assessment's evidence per item (item pk -> files, deleted ones too: their record stays). One query."""
    result: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(assessment=assessment_id).select_related("uploaded_by", "deleted_by"):
        result[evidence.item_id].append(evidence)
    return result


def evidence_of_action(action: Action) -> list[Evidence]:
    return list(Evidence.objects.filter(action=action).select_related("uploaded_by", "deleted_by"))


# --- Work shared among colleagues -----------------------------------------------------------------


@dataclass
class AssignmentRow:
    section: object  # a top-level catalogue Section
    assignee: object | None  # the User, or None: the owners'
    items: int
    answered: int

    @property
    def unanswered(self) -> int:
        return self.items - self.answered


@dataclass
class AssignmentSheet:
    rows: list[AssignmentRow]
    members: list  # the memberships that may answer (owners and assessors)


def assignment_sheet(membership: Membership, assessment: Assessment) -> AssignmentSheet:
    """Each label (top-level section) of an assessment with its assignee and progress, and the
    members who may be assigned: four queries (the edition's structure is kept per process)."""
    structure = edition_structures([assessment.edition])[assessment.edition_id]
    assigned = {
        a.section_id: a.assignee
        for a in SectionAssignment.objects.filter(assessment=assessment.pk).select_related("assignee")
    }
    answered = set(Answer.objects.filter(assessment=assessment.pk).exclude(rating="").values_list("item_id", flat=True))
    parents = {section.pk: section.parent_id for section in structure.sections}

    def top(section_id):
        while parents.get(section_id):
            section_id = parents[section_id]
        return section_id

    items, done = defaultdict(int), defaultdict(int)
    for item in structure.items:
        label = top(item.section_id)
        items[label] += 1
        done[label] += item.pk in answered
    rows = [
        AssignmentRow(section, assigned.get(section.pk), items[section.pk], done[section.pk])
        for section in structure.top_sections
    ]
    members = [
        m for m in Membership.objects.filter(organisation=membership.organisation_id).select_related("user").order_by("user__name", "user__email")
        if m.can_answer
    ]
    return AssignmentSheet(rows=rows, members=members)
