"""Computing a release's statistics: aggregation in the database, then the pure modules.

Four queries do the heavy work, whatever the number of submissions:
1. the submissions per atom (tier x size band x business type) and level attained;
2. the per-submission rates (SubmissionScore, written at submission) as a histogram per
   statistic and atom: GROUP BY kind, code, atom, achieved, applicable;
3. the answers of the submitted assessments, GROUP BY item and atom: how many achieved it and
   for how many it was not applicable;
4. the edition's sections and items (two small queries).
Python then only adds histograms of at most a few thousand rows, computes the figures with
`statistics` and decides what may be shown with `disclosure`. The result holds only the
figures that may be shown: a suppressed cell carries its status and nothing else.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from fractions import Fraction

from django.db.models import Count, F, Q

from keiretsu.accounts.models import Organisation
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.programme.scoring import Scale, percent

from . import statistics
from .disclosure import ALL, CellStatus, Dimension, GroupKey, protect
from .models import Submission, SubmissionScore

SCHEMA = 1

DIMENSIONS = (
    Dimension("tier", tuple(str(value) for value in Organisation.Tier.values)),
    Dimension("size_band", tuple(Organisation.SizeBand.values)),
    Dimension("business_type", tuple(Organisation.BusinessType.values)),
)
SEGMENT_FIELDS = ("tier", "size_band", "business_type")


def group_id(key: GroupKey) -> str:
    """The key of a group in a release's JSON: "all", "tier:1", "size_band:small", ..."""
    return "all" if key == ALL else f"{key[0]}:{key[1]}"


def groups_of(atom) -> list[GroupKey]:
    return [ALL, *((dimension.name, value) for dimension, value in zip(DIMENSIONS, atom, strict=True))]


def _atom(row, prefix="") -> tuple[str, str, str]:
    return tuple(str(row[prefix + name]) for name in SEGMENT_FIELDS)


def _pct(value: Fraction | None) -> str | None:
    return None if value is None else str(percent(value))


def stat_keys(structure) -> list[tuple[str, str]]:
    """(kind, code) of every rate statistic of an edition, in display order."""
    edition = structure.edition
    keys = [(SubmissionScore.Kind.OVERALL.value, "")]
    keys += [(SubmissionScore.Kind.LEVEL.value, code) for code in edition.level_codes]
    keys += [(SubmissionScore.Kind.SECTION.value, section.code) for section in structure.sections]
    if any(item.is_priority for item in structure.items):
        keys.append((SubmissionScore.Kind.PRIORITY.value, ""))
    return keys


def compute_statistics(*, round, edition, k: int) -> dict:
    structure = edition_structure(edition)
    scale = edition.rating_scale
    submissions = Submission.objects.filter(round=round, edition=edition, status=Submission.Status.ACTIVE)

    # 1. Submissions per atom, and how many attained each level.
    atom_n: Counter = Counter()
    attained_at_least: dict[tuple, Counter] = defaultdict(Counter)  # atom -> {rank: n attaining >= rank}
    for row in submissions.values(*SEGMENT_FIELDS, "attained_rank").annotate(n=Count("pk")).order_by():
        atom = _atom(row)
        atom_n[atom] += row["n"]
        for rank in range(1, row["attained_rank"] + 1):
            attained_at_least[atom][rank] += row["n"]

    # 2. Histograms of the per-submission rates.
    histograms: dict[tuple[str, str], dict[GroupKey, Counter]] = defaultdict(lambda: defaultdict(Counter))
    contributors: dict[tuple[str, str], Counter] = defaultdict(Counter)
    rate_rows = (
        SubmissionScore.objects.filter(
            submission__round=round,
            submission__edition=edition,
            submission__status=Submission.Status.ACTIVE,
            applicable__gt=0,  # a rate over no applicable item is undefined: it counts nowhere
        )
        .values("kind", "code", *(f"submission__{name}" for name in SEGMENT_FIELDS), "achieved", "applicable")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rate_rows:
        stat = (row["kind"], row["code"])
        atom = _atom(row, "submission__")
        # The rate as a reduced (numerator, denominator) pair: 2/4 and 1/2 are one value, and
        # integer pairs are much cheaper to count than Fractions.
        divisor = math.gcd(row["achieved"], row["applicable"])
        value = (row["achieved"] // divisor, row["applicable"] // divisor)
        contributors[stat][atom] += row["n"]
        for group in groups_of(atom):
            histograms[stat][group][value] += row["n"]

    # 3. Per item: achieved and not applicable, per atom, counted over the answers in the database.
    item_achieved: dict[int, Counter] = defaultdict(Counter)
    item_not_applicable: dict[int, Counter] = defaultdict(Counter)
    item_rows = (
        submissions.values(*SEGMENT_FIELDS, item=F("assessment__answers__item_id"))
        .annotate(
            achieved=Count("pk", filter=Q(assessment__answers__rating__in=scale.symbols_where(Scale.is_achieved))),
            not_applicable=Count(
                "pk", filter=Q(assessment__answers__rating__in=scale.symbols_where(lambda s, r: not s.is_applicable(r)))
            ),
        )
        .order_by()
    )
    for row in item_rows:
        if row["item"] is None:
            continue
        atom = _atom(row)
        item_achieved[row["item"]][atom] += row["achieved"]
        item_not_applicable[row["item"]][atom] += row["not_applicable"]

    # What may be shown: the submission counts first; a statistic never shows a group whose
    # count is hidden.
    counts = protect(atom_n, DIMENSIONS, k)
    hidden = frozenset(key for key, status in counts.statuses.items() if status != CellStatus.PUBLISHED)

    groups: dict[str, dict] = {}
    for key, status in counts.statuses.items():
        entry = {"status": status.value}
        if status == CellStatus.PUBLISHED:
            entry.update(n=counts.counts[key], overall=None, levels={}, sections={}, attained={}, items={})
        groups[group_id(key)] = entry
    open_groups = [key for key, status in counts.statuses.items() if status == CellStatus.PUBLISHED]
    atoms_of: dict[GroupKey, list[tuple]] = defaultdict(list)
    for atom in atom_n:
        for key in groups_of(atom):
            atoms_of[key].append(atom)

    # Rates: mean, quartiles and median of each statistic per group.
    for stat in stat_keys(structure):
        protection = protect(contributors[stat], DIMENSIONS, k, hidden)
        for key in open_groups:
            cell = _cell(protection.statuses[key])
            if protection.published(key):
                histogram = {Fraction(a, b): n for (a, b), n in histograms[stat][key].items()}
                summary = statistics.summarise(statistics.Distribution.of(histogram))
                cell.update(
                    n=summary.n,
                    mean=_pct(summary.mean),
                    q1=_pct(summary.q1),
                    median=_pct(summary.median),
                    q3=_pct(summary.q3),
                )
            _place(groups[group_id(key)], stat, cell)

    # Levels attained: the share of the group's submissions that attained each level.
    for rank, code in enumerate(edition.level_codes, start=1):
        for key in open_groups:
            n = counts.counts[key]
            attained = sum(attained_at_least[atom][rank] for atom in atoms_of[key])
            groups[group_id(key)]["attained"][code] = {
                "status": CellStatus.PUBLISHED.value,
                "n": n,
                "share": _pct(statistics.share(attained, n)),
            }

    # Items: the share of the companies for which the item applies that achieved it.
    for item in structure.items:
        applicable = Counter({atom: n - item_not_applicable[item.pk][atom] for atom, n in atom_n.items()})
        protection = protect(applicable, DIMENSIONS, k, hidden)
        for key in open_groups:
            cell = _cell(protection.statuses[key])
            if protection.published(key):
                n = protection.counts[key]
                achieved = sum(item_achieved[item.pk][atom] for atom in atoms_of[key])
                cell.update(n=n, share=_pct(statistics.share(achieved, n)))
            groups[group_id(key)]["items"][item.number] = cell

    return {
        "schema": SCHEMA,
        "k": k,
        "quartile_method": statistics.QUARTILE_METHOD,
        "fiscal_year": round.fiscal_year,
        "edition": {"guideline": edition.guideline.slug, "code": edition.code},
        "levels": list(edition.level_codes),
        "sections": [section.code for section in structure.sections],
        "top_sections": [section.code for section in structure.top_sections],
        "items": [item.number for item in structure.items],
        "dimensions": [{"name": d.name, "values": list(d.values)} for d in DIMENSIONS],
        "fallback": counts.fallback,
        "groups": groups,
    }


def _cell(status: CellStatus) -> dict:
    return {"status": status.value}


def _place(group: dict, stat: tuple[str, str], cell: dict):
    kind, code = stat
    if kind == SubmissionScore.Kind.OVERALL:
        group["overall"] = cell
    elif kind == SubmissionScore.Kind.PRIORITY:
        group["priority"] = cell
    elif kind == SubmissionScore.Kind.LEVEL:
        group["levels"][code] = cell
    else:
        group["sections"][code] = cell
