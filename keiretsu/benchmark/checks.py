"""Refuse to start with benchmark settings that would publish unsafe or meaningless figures."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def benchmark_settings(app_configs, **kwargs):
    errors = []
    k = getattr(settings, "BENCHMARK_MIN_GROUP_SIZE", 5)
    if not isinstance(k, int) or k < 2:
        errors.append(
            Error(
                f"BENCHMARK_MIN_GROUP_SIZE must be an integer of at least 2, not {k!r}",
                hint="A published figure must cover several companies; the programme uses 5.",
                id="benchmark.E001",
            )
        )
    share = getattr(settings, "BENCHMARK_FOCUS_SHARE", 70)
    if not isinstance(share, int) or not 1 <= share <= 100:
        errors.append(
            Error(f"BENCHMARK_FOCUS_SHARE must be a percentage from 1 to 100, not {share!r}", id="benchmark.E002")
        )
    return errors
