"""The target level the programme sets each company (docs/rules.md, "Target and gap"). Pure.

The FY2024 briefing (4-3): every company aims at all Lv1 and Lv2 items by the end of the fiscal
year; vehicle makers, large Tier-1 companies and companies with advanced know-how at Lv3. METI's
scheme: ★3 (the self-assessment) for every company. An edition with other levels: its first.
"""

from __future__ import annotations

from collections.abc import Iterable

RECOMMENDED = "Lv2"
ADVANCED = "Lv3"

OEM_TIER = 0
TIER1 = 1


def aims_advanced(*, tier: int | None, business_type: str, size_band: str) -> bool:
    """Vehicle makers and large Tier-1 companies aim at the model level (Lv3)."""
    return business_type == "vehicle_maker" or tier == OEM_TIER or (tier == TIER1 and size_band == "large")


def default_target(*, levels: Iterable[str], tier: int | None, business_type: str, size_band: str) -> str | None:
    """The default target level of an organisation for an edition with these levels; None
    for an edition without levels."""
    levels = tuple(levels)
    if not levels:
        return None
    if ADVANCED in levels and aims_advanced(tier=tier, business_type=business_type, size_band=size_band):
        return ADVANCED
    if RECOMMENDED in levels:
        return RECOMMENDED
    return levels[0]
