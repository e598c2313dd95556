"""The scoring rules of docs/rules.md on hand-computed cases."""

from decimal import Decimal
from fractions import Fraction

import pytest

from keiretsu.programme.scoring import Rate, Scale, ScoredItem, ScoreSummary, gap_to_target, percent, score
from keiretsu.programme.targets import default_target

FACTORY_SCALE = Scale.from_declaration(
    {
        "symbols": [{"symbol": s, "label": s} for s in ("○", "□", "△", "×", "－")],
        "achieved": ["○"],
        "examined": ["○", "□"],
        "not_applicable": ["－"],
        "requires_reason": ["□"],
    }
)
METI_SCALE = Scale.from_declaration(
    {
        "symbols": [
            {"symbol": "○", "label": "達成", "aliases": ["〇"]},
            {"symbol": "×", "label": "未達成"},
            {"symbol": "－", "label": "対象外", "aliases": ["-"]},
        ],
        "achieved": ["○"],
        "examined": ["○"],
        "not_applicable": ["－"],
    }
)
LEVELS = ("Lv1", "Lv2", "Lv3")


def items(*specs):
    """specs: (number, level, section) tuples."""
    return [ScoredItem(number=n, level=level, sections=(section,)) for n, level, section in specs]


def test_not_applicable_is_excluded_and_unanswered_counts_as_not_achieved():
    result = score(
        scale=FACTORY_SCALE,
        levels=(),
        items=items(("1", "", "A"), ("2", "", "A"), ("3", "", "A"), ("4", "", "A"), ("5", "", "A")),
        ratings={"1": "○", "2": "□", "3": "－", "4": "×"},  # 5 unanswered
    )
    overall = result.overall
    assert (overall.total, overall.answered, overall.applicable) == (5, 4, 4)
    assert overall.achievement == Fraction(1, 4)  # ○ over the 4 applicable: 1, 2, 4, 5
    assert overall.examination == Fraction(2, 4)  # ○ and □
    assert overall.achievement_percent == Decimal("25.0")
    assert overall.examination_percent == Decimal("50.0")


def test_a_section_with_only_not_applicable_items_has_no_rate():
    result = score(
        scale=FACTORY_SCALE,
        levels=(),
        items=items(("1", "", "A"), ("2", "", "B"), ("3", "", "B")),
        ratings={"1": "○", "2": "－", "3": "－"},
    )
    assert result.by_section["B"].applicable == 0
    assert result.by_section["B"].achievement is None
    assert result.by_section["B"].achievement_percent is None  # shown as "－", not 0 % or 100 %
    assert result.by_section["A"].achievement_percent == Decimal("100.0")


def test_nothing_answered_is_zero_percent_not_undefined():
    result = score(scale=FACTORY_SCALE, levels=(), items=items(("1", "", "A"), ("2", "", "A")), ratings={})
    assert result.overall.achievement == Fraction(0)
    assert result.overall.achievement_percent == Decimal("0.0")


def test_level_attained_with_lv1_complete_and_a_gap_at_lv2():
    result = score(
        scale=METI_SCALE,
        levels=LEVELS,
        items=items(("1", "Lv1", "A"), ("2", "Lv1", "A"), ("3", "Lv2", "A"), ("4", "Lv2", "B"), ("5", "Lv3", "B")),
        ratings={"1": "○", "2": "－", "3": "○", "4": "×", "5": "○"},
    )
    assert result.level_attained == "Lv1"
    assert result.is_attained("Lv1") and not result.is_attained("Lv2") and not result.is_attained("Lv3")
    assert result.by_level["Lv1"].achievement == Fraction(1, 1)  # item 2 is not applicable
    assert result.by_level["Lv2"].achievement == Fraction(1, 2)
    # Lv3 items are all achieved, but Lv3 needs every item of level <= 3.
    assert result.by_level["Lv3"].achievement == Fraction(1, 1)


def test_no_level_attained_when_an_lv1_item_is_unanswered():
    result = score(
        scale=METI_SCALE,
        levels=LEVELS,
        items=items(("1", "Lv1", "A"), ("2", "Lv1", "A"), ("3", "Lv2", "A")),
        ratings={"1": "○", "3": "○"},
    )
    assert result.level_attained is None


def test_all_levels_attained():
    result = score(
        scale=METI_SCALE,
        levels=LEVELS,
        items=items(("1", "Lv1", "A"), ("2", "Lv2", "A"), ("3", "Lv3", "A")),
        ratings={"1": "○", "2": "○", "3": "○"},
    )
    assert result.level_attained == "Lv3"


def test_meti_stars():
    stars = ("★3", "★4")
    criteria = items(("1-1", "★3", "1"), ("1-2", "★3", "1"), ("2-1", "★4", "2"), ("2-2", "★4", "2"))
    only_star3 = score(
        scale=METI_SCALE, levels=stars, items=criteria, ratings={"1-1": "○", "1-2": "○", "2-1": "×", "2-2": "○"}
    )
    assert only_star3.level_attained == "★3"
    both = score(
        scale=METI_SCALE, levels=stars, items=criteria, ratings={"1-1": "○", "1-2": "○", "2-1": "－", "2-2": "○"}
    )
    assert both.level_attained == "★4"
    # ★4 criteria all achieved is not ★4 while a ★3 criterion is not.
    neither = score(
        scale=METI_SCALE, levels=stars, items=criteria, ratings={"1-1": "×", "1-2": "○", "2-1": "○", "2-2": "○"}
    )
    assert neither.level_attained is None


def test_nested_sections_and_priority_items():
    scored = [
        ScoredItem("1-1-1", "★3", ("1", "1-1"), priority=True),
        ScoredItem("1-1-2", "★3", ("1", "1-1")),
        ScoredItem("1-2-1", "★4", ("1", "1-2"), priority=True),
    ]
    result = score(scale=METI_SCALE, levels=("★3", "★4"), items=scored, ratings={"1-1-1": "○", "1-2-1": "×"})
    assert result.by_section["1"].achievement == Fraction(1, 3)
    assert result.by_section["1-1"].achievement == Fraction(1, 2)
    assert result.by_section["1-2"].achievement == Fraction(0, 1)
    assert result.priority.achievement == Fraction(1, 2)


def test_a_rating_outside_the_scale_never_counts_as_achieved():
    result = score(scale=METI_SCALE, levels=(), items=items(("1", "", "A")), ratings={"1": "◎"})
    assert (result.overall.answered, result.overall.achieved) == (0, 0)


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(Fraction(2, 3)) == Decimal("66.7")
    assert percent(Fraction(1, 3)) == Decimal("33.3")
    assert percent(Fraction(1, 8)) == Decimal("12.5")
    assert percent(Fraction(1, 1600)) == Decimal("0.1")  # 0.0625 % rounds half up to 0.1
    assert percent(Fraction(1, 2000)) == Decimal("0.1")  # 0.05 % exactly: half up
    assert percent(Fraction(1, 2001)) == Decimal("0.0")
    assert percent(None) is None


def test_scale_normalises_aliases_and_width():
    assert METI_SCALE.normalise("〇") == "○"
    assert METI_SCALE.normalise(" - ") == "－"
    assert METI_SCALE.normalise("◎") is None
    assert METI_SCALE.normalise("") is None


def test_summary_round_trips_through_its_snapshot():
    result = score(
        scale=FACTORY_SCALE,
        levels=("Lv1",),
        items=items(("1", "Lv1", "A"), ("2", "Lv1", "B")),
        ratings={"1": "○", "2": "□"},
    )
    assert ScoreSummary.from_dict(result.as_dict()) == result
    assert result.overall == Rate(total=2, answered=2, applicable=2, achieved=1, examined=2)


def test_what_a_rating_means_is_asked_of_the_scale_and_score_agrees(catalogue):
    """One definition: every symbol of every shipped scale scores as the scale's predicates say,
    and the symbol lists the benchmark filters on in SQL are those predicates too."""
    for edition in catalogue.values():
        scale = edition.rating_scale
        for rating in (*scale.codes, "", "not-a-symbol"):
            summary = score(scale=scale, levels=(), items=[ScoredItem("1")], ratings={"1": rating})
            meaning = (scale.is_applicable(rating), scale.is_achieved(rating), scale.is_examined(rating))
            counted = (summary.overall.applicable == 1, summary.overall.achieved == 1, summary.overall.examined == 1)
            assert counted == meaning, (edition, rating)
            assert (rating in scale.symbols_where(Scale.is_achieved)) == (rating in scale.codes and meaning[1])
        assert not scale.lacks_reason("", "") and all(not scale.lacks_reason(s, "理由") for s in scale.codes)
        assert {s for s in scale.codes if scale.lacks_reason(s, " ")} == set(scale.requires_reason)


# --- Target and gap (docs/rules.md, "Target and gap") --------------------------------------


def test_the_gap_counts_applicable_items_not_achieved_up_to_the_target_level():
    gap = gap_to_target(
        scale=FACTORY_SCALE,
        levels=LEVELS,
        items=items(("1", "Lv1", "A"), ("2", "Lv1", "A"), ("3", "Lv1", "A"), ("4", "Lv2", "A"),
                    ("5", "Lv2", "B"), ("6", "Lv3", "B")),
        # 1 achieved; 2 not applicable; 3 unanswered; 4 □ (examined, not achieved); 5 ○; 6 × (Lv3: above target)
        ratings={"1": "○", "2": "－", "4": "□", "5": "○", "6": "×"},
        target="Lv2",
    )
    assert gap.levels == ("Lv1", "Lv2")
    assert gap.missing == {"Lv1": ("3",), "Lv2": ("4",)}
    assert gap.total == 2 and not gap.reached
    assert gap.as_dict() == {"target": "Lv2", "total": 2, "by_level": {"Lv1": ["3"], "Lv2": ["4"]}}


def test_the_gap_is_closed_when_every_applicable_item_up_to_the_target_is_achieved():
    gap = gap_to_target(
        scale=METI_SCALE, levels=("★3", "★4"),
        items=items(("1", "★3", "A"), ("2", "★3", "A"), ("3", "★4", "A")),
        ratings={"1": "○", "2": "-", "3": "×"},  # an alias is not a stored symbol: counts as unanswered
        target="★3",
    )
    assert gap.missing == {"★3": ("2",)}
    gap = gap_to_target(
        scale=METI_SCALE, levels=("★3", "★4"),
        items=items(("1", "★3", "A"), ("2", "★3", "A"), ("3", "★4", "A")),
        ratings={"1": "○", "2": "－", "3": "×"},
        target="★3",
    )
    assert gap.reached and gap.total == 0


def test_an_edition_without_levels_or_an_unknown_target_has_no_gap():
    assert gap_to_target(scale=FACTORY_SCALE, levels=(), items=items(("1", "", "A")), ratings={}, target="Lv2") is None
    assert gap_to_target(scale=FACTORY_SCALE, levels=LEVELS, items=items(("1", "Lv1", "A")), ratings={}, target="Lv9") is None


@pytest.mark.parametrize(
    ("levels", "tier", "business_type", "size_band", "expected"),
    [
        (LEVELS, 2, "parts", "medium", "Lv2"),  # every company: Lv1 and Lv2
        (LEVELS, 1, "parts", "large", "Lv3"),  # a large Tier-1
        (LEVELS, 1, "parts", "medium", "Lv2"),
        (LEVELS, 0, "parts", "large", "Lv3"),  # an OEM
        (LEVELS, 3, "vehicle_maker", "small", "Lv3"),
        (("★3", "★4"), 0, "vehicle_maker", "large", "★3"),  # METI: ★3 for everyone
        ((), 1, "parts", "large", None),  # the factory edition has no levels
    ],
)
def test_the_default_target_is_the_programmes(levels, tier, business_type, size_band, expected):
    assert default_target(levels=levels, tier=tier, business_type=business_type, size_band=size_band) == expected
