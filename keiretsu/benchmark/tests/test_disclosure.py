"""k-anonymity and complementary suppression (disclosure.protect) on hand-made tables.

Every test states the attack it prevents. The last test checks, by brute force over every set
of atoms, that no published pattern lets anyone derive a group of fewer than k companies.
"""

import itertools
import random
from fractions import Fraction

import pytest

from keiretsu.benchmark.disclosure import ALL, CellStatus, Dimension, Protection, protect

TIER = Dimension("tier", ("0", "1", "2", "3"))
SIZE = Dimension("size_band", ("small", "medium", "large"))
TYPE = Dimension("business_type", ("vehicle_maker", "parts", "other"))
DIMS = (TIER, SIZE, TYPE)
K = 5

P, BELOW, COMP, EMPTY = CellStatus.PUBLISHED, CellStatus.BELOW_K, CellStatus.COMPLEMENTARY, CellStatus.EMPTY


def statuses(protection, dimension=None):
    return {
        key[1] if dimension else key: status
        for key, status in protection.statuses.items()
        if dimension is None or key[0] == dimension
    }


def test_groups_of_k_or_more_are_published_and_empty_ones_are_marked_empty():
    p = protect({("1", "medium", "parts"): 6, ("2", "small", "parts"): 5}, DIMS, K)
    assert statuses(p, "tier") == {"0": EMPTY, "1": P, "2": P, "3": EMPTY}
    assert p.statuses[ALL] == P
    assert p.counts[ALL] == 11
    assert p.counts[("business_type", "parts")] == 11


def test_a_segment_under_k_is_hidden_and_so_is_its_complement():
    # Tier 2 has 3 companies. Publishing "all" (13) and "tier 1" (10) would give tier 2 away
    # by subtraction, so tier 1 is hidden too; "all" stays.
    p = protect({("1", "medium", "parts"): 10, ("2", "medium", "parts"): 3}, DIMS, K)
    assert statuses(p, "tier") == {"0": EMPTY, "1": COMP, "2": BELOW, "3": EMPTY}
    assert p.statuses[ALL] == P


def test_totals_minus_the_rest_the_smallest_other_segment_is_hidden():
    # all = 30; tier 0: 12, tier 1: 8, tier 2: 7, tier 3: 3. Hiding tier 3 alone leaves it as
    # all - (12 + 8 + 7); the smallest other segment (tier 2, 7) is hidden with it, and the two
    # together (10 companies) are all anyone can work out.
    p = protect(
        {
            ("0", "large", "vehicle_maker"): 12,
            ("1", "large", "parts"): 8,
            ("2", "medium", "parts"): 7,
            ("3", "small", "parts"): 3,
        },
        DIMS,
        K,
    )
    tiers = statuses(p, "tier")
    assert tiers == {"0": P, "1": P, "2": COMP, "3": BELOW}


def test_two_small_segments_together_still_under_k_take_a_third():
    # tier 2: 2, tier 3: 2 -> together 4 < 5: hiding both is not enough.
    p = protect(
        {
            ("0", "large", "vehicle_maker"): 20,
            ("1", "large", "parts"): 9,
            ("2", "medium", "parts"): 2,
            ("3", "small", "parts"): 2,
        },
        DIMS,
        K,
    )
    assert statuses(p, "tier") == {"0": P, "1": COMP, "2": BELOW, "3": BELOW}


def test_a_difference_of_segments_of_two_dimensions_is_caught():
    # Every OEM (6) is a vehicle maker; one tier-1 company is also a vehicle maker. Then
    # "vehicle makers" (7) minus "OEM" (6) is that one company. No segment is under k, yet
    # one of them must be hidden.
    atoms = {("0", "large", "vehicle_maker"): 6, ("1", "large", "vehicle_maker"): 1, ("1", "large", "parts"): 20}
    p = protect(atoms, DIMS, K)
    published = {key for key, status in p.statuses.items() if status == P}
    assert not (
        {("tier", "0"), ("business_type", "vehicle_maker")} <= published
        and ALL in published
        and ("tier", "1") in published
    )
    assert_no_small_group_derivable(atoms, p, K)


def test_forced_groups_are_hidden_whatever_their_size():
    # A statistic never shows a group whose submission count is hidden.
    p = protect({("1", "medium", "parts"): 10, ("2", "medium", "parts"): 10}, DIMS, K, forced={("tier", "2")})
    assert p.statuses[("tier", "2")] == COMP
    # Tier 1 stays: "all minus tier 1" then gives tier 2's figure, but tier 2 has 10 companies.
    assert p.statuses[("tier", "1")] == P
    assert_no_small_group_derivable({("1", "medium", "parts"): 10, ("2", "medium", "parts"): 10}, p, K)


def test_fewer_than_k_in_all_hides_everything():
    p = protect({("1", "medium", "parts"): 2, ("2", "small", "parts"): 2}, DIMS, K)
    assert p.statuses[ALL] == BELOW
    assert all(status != P for status in p.statuses.values())


def test_nothing_at_all_is_empty():
    p = protect({}, DIMS, K)
    assert set(p.statuses.values()) == {EMPTY}


def test_fallback_keeps_one_dimension_when_the_search_is_too_large():
    # Many tiny atoms and a search limit of a few sets: the release shows "all" and the
    # segments of one dimension only, which the complement rule alone makes safe.
    atoms = {(t, s, b): 1 for t in TIER.values for s in SIZE.values for b in TYPE.values}
    p = protect(atoms, DIMS, 3, search_limit=5)
    assert p.fallback
    shown_dimensions = {key[0] for key, status in p.statuses.items() if status == P and key != ALL}
    assert len(shown_dimensions) == 1
    assert_no_small_group_derivable(atoms, p, 3)


def test_bad_atoms_are_refused():
    with pytest.raises(ValueError):
        protect({("9", "medium", "parts"): 3}, DIMS, K)
    with pytest.raises(ValueError):
        protect({("1", "medium"): 3}, DIMS, K)


def rank(rows: list[list[int]]) -> int:
    """The rank of an integer matrix, by Gaussian elimination over the rationals, written here
    independently of disclosure.py (the code under test)."""
    matrix = [[Fraction(x) for x in row] for row in rows]
    rank_, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank_, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank_], matrix[pivot] = matrix[pivot], matrix[rank_]
        for r in range(len(matrix)):
            if r != rank_ and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank_][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank_], strict=True)]
        rank_ += 1
    return rank_


def assert_no_small_group_derivable(atom_counts, protection, k):
    """Brute force: no set of atoms with 1..k-1 contributors is a combination of published groups.

    A set's count is derivable from the published counts exactly when its indicator vector is a
    linear combination of the published groups' indicator vectors, that is when adding it to
    them does not raise the rank."""
    atoms = sorted(a for a, n in atom_counts.items() if n > 0)
    names = [d.name for d in DIMS]

    def indicator(members):
        return [1 if i in members else 0 for i in range(len(atoms))]

    def members(key):
        if key == ALL:
            return set(range(len(atoms)))
        return {i for i, atom in enumerate(atoms) if atom[names.index(key[0])] == key[1]}

    published = [key for key, status in protection.statuses.items() if status == P]
    rows = [indicator(members(key)) for key in published]
    base = rank(rows) if rows else 0
    for size in range(1, min(k - 1, len(atoms)) + 1):  # every atom has at least one company
        for subset in itertools.combinations(range(len(atoms)), size):
            weight = sum(atom_counts[atoms[i]] for i in subset)
            if 0 < weight < k:
                assert rank([*rows, indicator(set(subset))]) > base, (
                    f"{[atoms[i] for i in subset]} ({weight} companies) is derivable from {published}"
                )


def test_the_brute_force_check_finds_a_leak():
    """The check itself: publishing every tier and the total gives the last tier away."""
    atoms = {("0", "large", "vehicle_maker"): 3, ("1", "medium", "parts"): 6}
    leaky = Protection(
        statuses={ALL: P, ("tier", "1"): P, ("tier", "0"): BELOW}, counts={ALL: 9, ("tier", "1"): 6, ("tier", "0"): 3}
    )
    with pytest.raises(AssertionError, match="derivable"):
        assert_no_small_group_derivable(atoms, leaky, 5)


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_never_leak_a_small_group(seed):
    rng = random.Random(seed)
    atoms = {}
    for _ in range(rng.randrange(1, 10)):
        atom = (rng.choice(TIER.values), rng.choice(SIZE.values), rng.choice(TYPE.values))
        atoms[atom] = atoms.get(atom, 0) + rng.choice([1, 1, 2, 3, 4, 6, 9, 15])
    k = rng.choice([2, 3, 5])
    protection = protect(atoms, DIMS, k)
    assert_no_small_group_derivable(atoms, protection, k)
    # Every hidden cell is hidden for a reason: under k, or it would give a smaller group away.
    for key, status in protection.statuses.items():
        if status == BELOW:
            assert 0 < protection.counts[key] < k
        if status == P:
            assert protection.counts[key] >= k
