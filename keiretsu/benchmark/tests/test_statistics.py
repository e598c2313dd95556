"""The statistics module on hand-made data, to the digit (values checked against Excel's
QUARTILE.INC / AVERAGE / MEDIAN on the same numbers)."""

from collections import Counter
from decimal import Decimal
from fractions import Fraction as F

import pytest

from keiretsu.benchmark.statistics import Distribution, percentile_rank, share, summarise
from keiretsu.programme.scoring import percent


def test_six_rates_mean_median_quartiles():
    # Overall achievement rates of six companies: 0, 1/2, 4/5, 5/6, 1, 1.
    d = Distribution.of([F(1), F(1, 2), F(4, 5), F(0), F(5, 6), F(1)])
    assert d.n == 6
    assert d.mean() == F(31, 45)  # (0 + 1/2 + 4/5 + 5/6 + 1 + 1) / 6 = 124/30 / 6
    assert d.quantile(F(1, 4)) == F(23, 40)  # h = 5 * 1/4 = 1.25: 1/2 + 0.25 * (4/5 - 1/2) = 0.575
    assert d.median() == F(49, 60)  # h = 2.5: 4/5 + 0.5 * (5/6 - 4/5) = 0.81666...
    assert d.quantile(F(3, 4)) == F(23, 24)  # h = 3.75: 5/6 + 0.75 * (1 - 5/6) = 0.958333...
    summary = summarise(d)
    assert [percent(v) for v in (summary.mean, summary.q1, summary.median, summary.q3)] == [
        Decimal("68.9"),
        Decimal("57.5"),
        Decimal("81.7"),
        Decimal("95.8"),
    ]


def test_whole_positions_take_the_value_itself():
    # Five values: h = 4p is whole for quartiles, so Q1, median and Q3 are data points.
    d = Distribution.of([F(10), F(20), F(30), F(40), F(50)])
    assert (d.quantile(F(1, 4)), d.median(), d.quantile(F(3, 4))) == (F(20), F(30), F(40))
    assert (d.quantile(0), d.quantile(1)) == (F(10), F(50))


def test_excel_quartile_inc_on_even_count():
    # Excel: QUARTILE.INC({1,2,3,4},1) = 1.75, MEDIAN = 2.5, QUARTILE.INC(...,3) = 3.25.
    d = Distribution.of([F(4), F(1), F(3), F(2)])
    assert (d.quantile(F(1, 4)), d.median(), d.quantile(F(3, 4))) == (F(7, 4), F(5, 2), F(13, 4))
    assert d.mean() == F(5, 2)


def test_counts_are_the_same_as_repeated_values():
    weighted = Distribution.of({F(1, 3): 3, F(2, 3): 1, F(1): 2})
    plain = Distribution.of([F(1, 3)] * 3 + [F(2, 3)] + [F(1)] * 2)
    assert weighted == plain
    assert weighted.n == 6
    assert weighted.mean() == F(11, 18)  # (1 + 2/3 + 2) / 6 = 11/3 / 6
    # sorted: 1/3 1/3 1/3 2/3 1 1; Q1 h=1.25 -> 1/3; median h=2.5 -> 1/3 + 0.5 * 1/3 = 1/2; Q3 h=3.75 -> 2/3 + 0.75/3
    assert (weighted.quantile(F(1, 4)), weighted.median(), weighted.quantile(F(3, 4))) == (F(1, 3), F(1, 2), F(11, 12))


def test_equal_rates_from_different_counts_are_one_value():
    # 2 of 4 applicable items and 3 of 6 are the same rate.
    d = Distribution.of([F(2, 4), F(3, 6), F(1, 2)])
    assert d.counts == ((F(1, 2), 3),)


def test_the_histograms_of_a_groups_atoms_merge_into_one_distribution():
    # compute.py adds the histograms of a group's atoms ({value: count}) before summarising.
    a, b = Counter({F(0): 1, F(1, 2): 1}), Counter({F(1, 2): 1, F(1): 1})
    d = Distribution.of(a + b)
    assert d.counts == ((F(0), 1), (F(1, 2), 2), (F(1), 1))
    assert d.median() == F(1, 2)


def test_one_value():
    d = Distribution.of([F(2, 3)])
    summary = summarise(d)
    assert (summary.n, summary.mean, summary.q1, summary.median, summary.q3) == (1, F(2, 3), F(2, 3), F(2, 3), F(2, 3))


def test_nothing_is_undefined_not_zero():
    d = Distribution.of([])
    assert d.n == 0
    assert d.mean() is None
    assert d.median() is None
    assert summarise(d) is None
    assert share(0, 0) is None
    assert percentile_rank(below=0, equal=0, n=0) is None


def test_share():
    assert share(4, 6) == F(2, 3)
    assert percent(share(4, 6)) == Decimal("66.7")
    assert share(0, 6) == 0
    with pytest.raises(ValueError):
        share(7, 6)


def test_percentile_rank_counts_ties_as_half():
    # Values 0, 1/2, 4/5, 5/6, 1, 1; a company at 1/2: one below, one equal (itself).
    values = [F(0), F(1, 2), F(4, 5), F(5, 6), F(1), F(1)]
    assert percentile_rank(below=1, equal=1, n=len(values)) == F(1, 4)
    assert percentile_rank(below=4, equal=2, n=len(values)) == F(5, 6)  # a company at 1: (4 + 2/2) / 6


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Distribution.of({F(1): -1})
    with pytest.raises(ValueError):
        Distribution.of([F(1)]).quantile(F(3, 2))
    with pytest.raises(ValueError):
        percentile_rank(below=3, equal=2, n=4)
