"""k: the smallest group a published figure may describe (docs/rules.md, "k").

A benchmark cell, and a supply tree's aggregate of a tier, is shown only over at least k
companies; a suppressed figure is never computed into anything a page, a file or the API
receives. How the benchmark also protects groups that could be derived from others is
`benchmark/disclosure.py`.
"""

from django.conf import settings


def min_group_size() -> int:
    """k, BENCHMARK_MIN_GROUP_SIZE (default 5; the system check keeps it at 2 or more)."""
    return settings.BENCHMARK_MIN_GROUP_SIZE


def may_show(group_size: int) -> bool:
    return group_size >= min_group_size()
