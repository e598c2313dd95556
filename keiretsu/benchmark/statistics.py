"""Statistics across submissions, in one place. Pure: no database, no Django.

Every figure of a benchmark release comes from these functions; the per-submission rates
they take come from the one scoring function (`assessments.scoring`), and percentages are
formatted by `scoring.percent`, so a release, its CSV, its API and a company's comparison
agree to the digit.

Input is a *distribution*: each distinct value (an exact `Fraction`, e.g. a submission's
achievement rate 97/153) with the number of submissions that have it. The database returns
exactly this (GROUP BY achieved, applicable ... COUNT), so a release never needs one row
per submission in Python.

Definitions, all exact (Fractions):

- n: the number of values (the sum of the counts).
- mean: the sum of all values divided by n.
- quantile(p), 0 <= p <= 1: the **inclusive** method with linear interpolation between the
  two nearest ranks, the same as Excel's QUARTILE.INC / PERCENTILE.INC, R's type 7 and
  numpy's default ("linear"). Sort the values x[0] <= x[1] <= ... <= x[n-1] (each value
  repeated as often as it occurs); let h = (n - 1) * p, j = floor(h):
      quantile(p) = x[j] + (h - j) * (x[j+1] - x[j])      (just x[j] when h is whole).
  So quantile(0) is the minimum and quantile(1) the maximum.
- median = quantile(1/2); first quartile Q1 = quantile(1/4); third quartile Q3 = quantile(3/4).
- share: count / n (e.g. the share of companies that attained a level).
- percentile rank of a value v among n values: (below + equal / 2) / n, where below counts
  the values < v and equal those = v (the "mid-rank" definition, so a company in the middle
  of a tie is not put at the top or the bottom of it).

Undefined results are None: any statistic of no value at all (n = 0), as a rate over zero
applicable items is undefined in scoring.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

QUARTILE_METHOD = "inclusive linear interpolation (Excel QUARTILE.INC, R type 7)"


@dataclass(frozen=True)
class Distribution:
    """A multiset of exact values: ((value, count), ...) in increasing order of value."""

    counts: tuple[tuple[Fraction, int], ...] = ()

    @classmethod
    def of(cls, values: Mapping[Fraction, int] | Iterable[Fraction]) -> Distribution:
        """From {value: count} or from plain values."""
        if not isinstance(values, Mapping):
            tally: dict[Fraction, int] = {}
            for value in values:
                tally[Fraction(value)] = tally.get(Fraction(value), 0) + 1
            values = tally
        merged: dict[Fraction, int] = {}
        for value, count in values.items():
            if count < 0:
                raise ValueError("a count cannot be negative")
            if count:
                key = value if type(value) is Fraction else Fraction(value)
                merged[key] = merged.get(key, 0) + count
        return cls(_sorted(merged))

    @property
    def n(self) -> int:
        return sum(count for _, count in self.counts)

    def value_at(self, index: int) -> Fraction:
        """x[index] of the sorted values (0-based), without expanding the multiset."""
        if not 0 <= index < self.n:
            raise IndexError(index)
        seen = 0
        for value, count in self.counts:
            seen += count
            if index < seen:
                return value
        raise AssertionError("unreachable")

    def mean(self) -> Fraction | None:
        n = self.n
        if n == 0:
            return None
        return sum((value * count for value, count in self.counts), Fraction(0)) / n

    def quantile(self, p: Fraction) -> Fraction | None:
        p = Fraction(p)
        if not 0 <= p <= 1:
            raise ValueError("p must be between 0 and 1")
        n = self.n
        if n == 0:
            return None
        h = (n - 1) * p
        j = math.floor(h)
        lower = self.value_at(j)
        if h == j:
            return lower
        return lower + (h - j) * (self.value_at(j + 1) - lower)

    def median(self) -> Fraction | None:
        return self.quantile(Fraction(1, 2))


def _sorted(counts: dict[Fraction, int]) -> tuple[tuple[Fraction, int], ...]:
    # float() never reverses an order (a < b gives float(a) <= float(b)), so ordering by it
    # first and by the exact value on a tie is exact, and much faster than comparing Fractions.
    return tuple(sorted(counts.items(), key=lambda pair: (float(pair[0]), pair[0])))


@dataclass(frozen=True)
class Summary:
    """What a release shows of a distribution of rates."""

    n: int
    mean: Fraction
    q1: Fraction
    median: Fraction
    q3: Fraction


def summarise(distribution: Distribution) -> Summary | None:
    if distribution.n == 0:
        return None
    return Summary(
        n=distribution.n,
        mean=distribution.mean(),
        q1=distribution.quantile(Fraction(1, 4)),
        median=distribution.median(),
        q3=distribution.quantile(Fraction(3, 4)),
    )


def share(count: int, n: int) -> Fraction | None:
    """count / n; undefined (None) when n is 0."""
    if count < 0 or count > n:
        raise ValueError("a share counts at most all of n")
    return Fraction(count, n) if n else None


def percentile_rank(*, below: int, equal: int, n: int) -> Fraction | None:
    """The share of values under v, counting the values equal to v as half under it."""
    if n == 0:
        return None
    if below < 0 or equal < 0 or below + equal > n:
        raise ValueError("below + equal cannot exceed n")
    return (below + Fraction(equal, 2)) / n
