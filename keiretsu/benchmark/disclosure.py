"""Which cells of a release may be published: k-anonymity with complementary suppression. Pure.

A release shows, for each statistic (the mean achievement rate of Lv1, the share of companies
that achieved item 12, the number of submissions, ...), one *cell* per *group*: all
submissions, and one segment per value of each dimension (tier, size band, business type).
Every submission lies in exactly one *atom*: its combination of dimension values, e.g.
(tier 2, small, parts maker). Each group is a union of atoms. A cell's *contributors* are
the submissions it is computed from (for an item: those for which the item is applicable).

The published figures are additive over their contributors (a count; a mean times its n
is a sum), so anybody can add and subtract published cells. The rules, with k =
settings.BENCHMARK_MIN_GROUP_SIZE:

1. **Primary suppression.** A cell with 1 to k-1 contributors is suppressed (BELOW_K).
   A cell with none is EMPTY: nothing is shown and there is nobody to protect.
   If the whole release has fewer than k contributors, every cell is suppressed.
2. **A dimension adds up to the total.** "All minus the published segments of a dimension"
   gives the suppressed segments of that dimension together, so together they must have at
   least k contributors: while they do not, the smallest published segment of that dimension
   is suppressed too (COMPLEMENTARY). This is the classic "segment and its complement" rule.
3. **Across dimensions.** Segments of different dimensions overlap, and structural gaps make
   differences derivable: when every OEM is a vehicle maker, "vehicle makers" minus "OEMs"
   is the vehicle makers that are not OEMs, maybe one company. In general a set of submissions
   is derivable when its indicator (over the atoms) is a linear combination of the indicators
   of the published groups. The audit searches for any derivable set with 1 to k-1
   contributors and, while one exists, suppresses one more segment (the smallest one whose
   suppression makes that set underivable), then checks again.

The audit is exact: linear algebra over Fractions on the atoms (at most 5 x 3 x 8 = 120) and
an exhaustive search over the sets of small atoms (those under k) with fewer than k
contributors. If that search would be too large (many tiny atoms and a large k), the release
falls back to a provably safe layout: the total and the segments of one dimension only, under
rules 1 and 2. Nothing is ever published on a guess.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

GroupKey = tuple[str, str]  # (dimension, value); ("all", "") for all submissions
ALL: GroupKey = ("all", "")

# How many candidate sets of small atoms the audit may enumerate per half before falling back.
SEARCH_LIMIT = 200_000


class CellStatus(StrEnum):
    PUBLISHED = "published"
    EMPTY = "empty"
    BELOW_K = "below_k"
    COMPLEMENTARY = "complementary"

    @property
    def suppressed(self) -> bool:
        return self in (CellStatus.BELOW_K, CellStatus.COMPLEMENTARY)


@dataclass(frozen=True)
class Dimension:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Protection:
    """The status of every group's cell for one statistic, and the contributors of each."""

    statuses: Mapping[GroupKey, CellStatus]
    counts: Mapping[GroupKey, int]
    fallback: bool = False  # the audit was too large: only one dimension is published

    def published(self, group: GroupKey) -> bool:
        return self.statuses[group] == CellStatus.PUBLISHED


def group_keys(dimensions: Sequence[Dimension]) -> list[GroupKey]:
    return [ALL, *((d.name, v) for d in dimensions for v in d.values)]


def protect(
    atom_counts: Mapping[tuple[str, ...], int],
    dimensions: Sequence[Dimension],
    k: int,
    forced: Iterable[GroupKey] = (),
    search_limit: int = SEARCH_LIMIT,
) -> Protection:
    """Statuses of every group for a statistic whose contributors per atom are `atom_counts`.

    `forced`: groups that must be suppressed whatever their size (a statistic's cell is never
    shown for a group whose submission count is suppressed).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    dimensions = tuple(dimensions)
    for atom in atom_counts:
        if len(atom) != len(dimensions) or any(v not in d.values for v, d in zip(atom, dimensions, strict=True)):
            raise ValueError(f"atom {atom!r} does not match the dimensions")
    atoms = tuple(sorted((atom, n) for atom, n in atom_counts.items() if n > 0))
    if any(n < 0 for n in atom_counts.values()):
        raise ValueError("a count cannot be negative")
    return _protect(atoms, dimensions, k, frozenset(forced), search_limit)


@lru_cache(maxsize=4096)
def _protect(atoms, dimensions, k, forced, search_limit) -> Protection:
    keys = group_keys(dimensions)
    counts = dict.fromkeys(keys, 0)
    members: dict[GroupKey, frozenset[int]] = {}
    by_group: dict[GroupKey, list[int]] = {key: [] for key in keys}
    for index, (atom, n) in enumerate(atoms):
        counts[ALL] += n
        by_group[ALL].append(index)
        for dimension, value in zip(dimensions, atom, strict=True):
            counts[(dimension.name, value)] += n
            by_group[(dimension.name, value)].append(index)
    members = {key: frozenset(indices) for key, indices in by_group.items()}

    status: dict[GroupKey, CellStatus] = {}
    for key in keys:
        n = counts[key]
        if n == 0:
            status[key] = CellStatus.EMPTY
        elif n < k:
            status[key] = CellStatus.BELOW_K
        elif key in forced:
            status[key] = CellStatus.COMPLEMENTARY
        else:
            status[key] = CellStatus.PUBLISHED

    if status[ALL] != CellStatus.PUBLISHED:
        # Fewer than k in all (or all forced): nothing of this statistic can be shown.
        for key in keys:
            if status[key] == CellStatus.PUBLISHED:
                status[key] = CellStatus.COMPLEMENTARY
        return Protection(status, counts)

    weights = [n for _, n in atoms]
    while True:
        _complete_dimensions(status, counts, dimensions, k)
        published = [key for key in keys if status[key] == CellStatus.PUBLISHED]
        try:
            found = _derivable_small_set(weights, [members[key] for key in published], k, search_limit)
        except _SearchTooLarge:
            _fall_back_to_one_dimension(status, dimensions)
            _complete_dimensions(status, counts, dimensions, k)
            return Protection(status, counts, fallback=True)
        if found is None:
            return Protection(status, counts)
        status[_breaking_segment(found, published, members, counts, keys, len(weights))] = CellStatus.COMPLEMENTARY


def _complete_dimensions(status, counts, dimensions, k):
    """Rule 2: the suppressed segments of a dimension cover 0 or at least k contributors."""
    for dimension in dimensions:
        keys = [(dimension.name, value) for value in dimension.values]
        hidden = sum(counts[key] for key in keys if status[key].suppressed)
        while 0 < hidden < k:
            candidates = [key for key in keys if status[key] == CellStatus.PUBLISHED]
            if not candidates:  # every segment is hidden: they add up to all, which has >= k
                break
            smallest = min(candidates, key=lambda key: (counts[key], keys.index(key)))
            status[smallest] = CellStatus.COMPLEMENTARY
            hidden += counts[smallest]


def _fall_back_to_one_dimension(status, dimensions):
    """Keep the dimension with the most published segments; hide every segment of the others."""

    def published_in(dimension):
        return sum(1 for v in dimension.values if status[(dimension.name, v)] == CellStatus.PUBLISHED)

    keep = max(dimensions, key=lambda d: (published_in(d), -dimensions.index(d)))
    for dimension in dimensions:
        if dimension is keep:
            continue
        for value in dimension.values:
            if status[(dimension.name, value)] == CellStatus.PUBLISHED:
                status[(dimension.name, value)] = CellStatus.COMPLEMENTARY


# --- Linear algebra over the atoms -------------------------------------------------------


class _SearchTooLarge(Exception):
    pass


def _rref(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form: [(pivot column, row)], each row with 1 at its pivot."""
    reduced: list[tuple[int, list[Fraction]]] = []
    for source in rows:
        row = list(source)
        for pivot, basis in reduced:
            if row[pivot]:
                factor = row[pivot]
                row = [a - factor * b for a, b in zip(row, basis, strict=True)]
        pivot = next((i for i, value in enumerate(row) if value), None)
        if pivot is None:
            continue
        scale = row[pivot]
        row = [value / scale for value in row]
        for index, (other_pivot, basis) in enumerate(reduced):
            if basis[pivot]:
                factor = basis[pivot]
                reduced[index] = (other_pivot, [a - factor * b for a, b in zip(basis, row, strict=True)])
        reduced.append((pivot, row))
    return reduced


def _indicator(indices: Iterable[int], size: int) -> list[Fraction]:
    vector = [Fraction(0)] * size
    for index in indices:
        vector[index] = Fraction(1)
    return vector


def _in_span(vector: list[Fraction], reduced) -> bool:
    row = list(vector)
    for pivot, basis in reduced:
        if row[pivot]:
            factor = row[pivot]
            row = [a - factor * b for a, b in zip(row, basis, strict=True)]
    return not any(row)


def _derivable_small_set(weights: list[int], groups: list[frozenset[int]], k: int, limit: int):
    """A set of atoms with 1..k-1 contributors whose indicator is a combination of `groups`, or None.

    With R the reduced rows of the groups, a vector over the atoms lies in their span exactly
    when it is orthogonal to every null-space vector; a set U of atoms therefore is derivable
    when, for every free (non-pivot) atom f: [f in U] - sum of R[r][f] over pivot atoms r in U = 0.
    """
    size = len(weights)
    small = [i for i, w in enumerate(weights) if w < k]
    if not small:
        return None
    reduced = _rref([_indicator(group, size) for group in groups])
    pivot_row = {pivot: row for pivot, row in reduced}
    free = [i for i in range(size) if i not in pivot_row]
    # Each atom's contribution to the orthogonality conditions, one per free atom.
    contribution: dict[int, dict[int, Fraction]] = {}
    for atom in small:
        if atom in pivot_row:
            contribution[atom] = {f: -pivot_row[atom][f] for f in free if pivot_row[atom][f]}
        else:
            contribution[atom] = {atom: Fraction(1)}
    # A fixed random projection of those conditions to one number per atom narrows the search;
    # every candidate is then checked exactly, so the projection can only cost time.
    rng = random.Random(4)
    coefficient = {f: Fraction(rng.randrange(1, 2**61)) for f in free}
    key = {
        atom: sum((value * coefficient[f] for f, value in contribution[atom].items()), Fraction(0)) for atom in small
    }

    half = len(small) // 2
    left, right = small[:half], small[half:]
    left_sums: dict[Fraction, list[tuple[int, tuple[int, ...]]]] = {}
    for weight, subset, total in _subsets(left, weights, key, k, limit):
        left_sums.setdefault(total, []).append((weight, subset))
    for weight, subset, total in _subsets(right, weights, key, k, limit):
        for other_weight, other in left_sums.get(-total, ()):
            if weight + other_weight < k and (subset or other) and _exactly_zero(subset + other, contribution):
                return frozenset(subset + other)
    return None


def _subsets(atoms, weights, key, k, limit):
    """Every subset of `atoms` (the empty one included) with fewer than k contributors."""
    produced = 0
    stack = [(0, 0, (), Fraction(0))]
    while stack:
        start, weight, subset, total = stack.pop()
        produced += 1
        if produced > limit:
            raise _SearchTooLarge
        yield weight, subset, total
        for position in range(start, len(atoms)):
            atom = atoms[position]
            if weight + weights[atom] < k:
                stack.append((position + 1, weight + weights[atom], (*subset, atom), total + key[atom]))


def _exactly_zero(subset, contribution) -> bool:
    sums: dict[int, Fraction] = {}
    for atom in subset:
        for f, value in contribution[atom].items():
            sums[f] = sums.get(f, Fraction(0)) + value
    return not any(sums.values())


def _breaking_segment(found, published, members, counts, keys, size) -> GroupKey:
    """The smallest published segment without which `found` is no longer derivable."""
    target = _indicator(found, size)
    candidates = sorted((key for key in published if key != ALL), key=lambda key: (counts[key], keys.index(key)))
    if not candidates:
        raise AssertionError("only the total is published, and it has at least k contributors")
    for candidate in candidates:
        rest = [_indicator(members[key], size) for key in published if key != candidate]
        if not _in_span(target, _rref(rest)):
            return candidate
    return candidates[0]
