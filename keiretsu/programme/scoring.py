"""The scoring rules of the programme, in one place. Pure: no database, no Django.

Every score shown anywhere (web page, PDF, CSV, API, benchmark) comes from `score()` and is
formatted by `percent()`, so all of them agree to the digit.

Rules (docs/rules.md, "Scale", "Rates", "Levels"):
- achievement rate of a set of items = achieved / applicable; examined rate = examined /
  applicable. Not-applicable answers are excluded; an unanswered item is applicable and
  neither achieved nor examined.
- a rate over zero applicable items is undefined (None), never 0 % or 100 %.
- level n is attained when every applicable item of level <= n is achieved.
- what counts as achieved, examined or not applicable is declared by each edition's scale.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "UNANSWERED",
    "Gap",
    "Rate",
    "RatingSymbol",
    "Scale",
    "ScoreSummary",
    "ScoredItem",
    "gap_to_target",
    "mean_rate",
    "percent",
    "score",
]

UNANSWERED = ""


@dataclass(frozen=True)
class RatingSymbol:
    symbol: str
    label: str
    label_en: str = ""
    meaning: str = ""
    meaning_en: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    symbols: tuple[RatingSymbol, ...]
    achieved: frozenset[str]
    examined: frozenset[str]
    not_applicable: frozenset[str]
    requires_reason: frozenset[str]

    @classmethod
    def from_declaration(cls, declaration: Mapping) -> Scale:
        """From the `scale` mapping of a catalogue file (already validated by the loader)."""
        return cls(
            symbols=tuple(
                RatingSymbol(
                    symbol=s["symbol"],
                    label=s.get("label", s["symbol"]),
                    label_en=s.get("label_en", ""),
                    meaning=s.get("meaning", ""),
                    meaning_en=s.get("meaning_en", ""),
                    aliases=tuple(s.get("aliases", ())),
                )
                for s in declaration["symbols"]
            ),
            achieved=frozenset(declaration.get("achieved", ())),
            examined=frozenset(declaration.get("examined", ())),
            not_applicable=frozenset(declaration.get("not_applicable", ())),
            requires_reason=frozenset(declaration.get("requires_reason", ())),
        )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.symbol for s in self.symbols)

    def normalise(self, raw: str) -> str | None:
        """The scale's symbol for `raw` (a symbol or one of its aliases), or None."""
        text = (raw or "").strip()
        for candidate in (text, unicodedata.normalize("NFKC", text)):
            for s in self.symbols:
                if candidate == s.symbol or candidate in s.aliases:
                    return s.symbol
        return None

    # What a rating means: the one definition (docs/rules.md, "Scale"). A rating that is not a
    # symbol of the scale (or "", unanswered) is applicable and neither achieved nor examined.

    def is_applicable(self, rating: str) -> bool:
        return rating not in self.not_applicable

    def is_achieved(self, rating: str) -> bool:
        return rating in self.achieved and self.is_applicable(rating)

    def is_examined(self, rating: str) -> bool:
        return rating in self.examined and self.is_applicable(rating)

    def needs_reason(self, rating: str) -> bool:
        return rating in self.requires_reason

    def lacks_reason(self, rating: str, reason: str) -> bool:
        """A rating that needs a reason, given without one: it stops a submission."""
        return self.needs_reason(rating) and not (reason or "").strip()

    def symbols_where(self, meaning) -> tuple[str, ...]:
        """The symbols for which `meaning` (e.g. Scale.is_achieved) holds: for SQL filters."""
        return tuple(symbol for symbol in self.codes if meaning(self, symbol))


@dataclass(frozen=True)
class ScoredItem:
    """What scoring needs to know about an item."""

    number: str
    level: str = ""  # "" for editions without levels
    sections: tuple[str, ...] = ()  # codes of the enclosing sections, outermost first
    priority: bool = False


@dataclass(frozen=True)
class Rate:
    total: int = 0
    answered: int = 0
    applicable: int = 0
    achieved: int = 0
    examined: int = 0

    @property
    def achievement(self) -> Fraction | None:
        return Fraction(self.achieved, self.applicable) if self.applicable else None

    @property
    def examination(self) -> Fraction | None:
        return Fraction(self.examined, self.applicable) if self.applicable else None

    @property
    def achievement_percent(self) -> Decimal | None:
        return percent(self.achievement)

    @property
    def examination_percent(self) -> Decimal | None:
        return percent(self.examination)

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "answered": self.answered,
            "applicable": self.applicable,
            "achieved": self.achieved,
            "examined": self.examined,
        }


@dataclass(frozen=True)
class ScoreSummary:
    overall: Rate
    by_level: dict[str, Rate] = field(default_factory=dict)  # in the edition's level order
    by_section: dict[str, Rate] = field(default_factory=dict)  # every section, in item order
    priority: Rate = Rate()
    levels: tuple[str, ...] = ()
    level_attained: str | None = None  # highest level attained; None if not even the first

    def is_attained(self, level: str) -> bool:
        if self.level_attained is None:
            return False
        return self.levels.index(level) <= self.levels.index(self.level_attained)

    def as_dict(self) -> dict:
        """A JSON-ready snapshot (kept with a submission, so a shared result never changes)."""
        return {
            "overall": self.overall.as_dict(),
            "by_level": {code: rate.as_dict() for code, rate in self.by_level.items()},
            "by_section": {code: rate.as_dict() for code, rate in self.by_section.items()},
            "priority": self.priority.as_dict(),
            "levels": list(self.levels),
            "level_attained": self.level_attained,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ScoreSummary:
        return cls(
            overall=Rate(**data["overall"]),
            by_level={code: Rate(**r) for code, r in data["by_level"].items()},
            by_section={code: Rate(**r) for code, r in data["by_section"].items()},
            priority=Rate(**data["priority"]),
            levels=tuple(data["levels"]),
            level_attained=data["level_attained"],
        )


class _Counter:
    __slots__ = ("total", "answered", "applicable", "achieved", "examined")

    def __init__(self):
        self.total = self.answered = self.applicable = self.achieved = self.examined = 0

    def add(self, answered, applicable, achieved, examined):
        self.total += 1
        self.answered += answered
        self.applicable += applicable
        self.achieved += achieved
        self.examined += examined

    def freeze(self) -> Rate:
        return Rate(self.total, self.answered, self.applicable, self.achieved, self.examined)


def score(
    *,
    scale: Scale,
    levels: Iterable[str],
    items: Iterable[ScoredItem],
    ratings: Mapping[str, str],
) -> ScoreSummary:
    """Scores of one assessment. `ratings` maps item number to symbol; missing = unanswered.

    A rating that is not a symbol of the scale counts as unanswered (the services never
    store one; this keeps a bad value from ever counting as achieved).
    """
    levels = tuple(levels)
    overall, priority = _Counter(), _Counter()
    by_level = {code: _Counter() for code in levels}
    by_section: dict[str, _Counter] = {}
    # Per level: is every applicable item of exactly that level achieved?
    level_complete = dict.fromkeys(levels, True)
    known = set(scale.codes)

    for item in items:
        rating = ratings.get(item.number, UNANSWERED)
        if rating not in known:
            rating = UNANSWERED
        answered = rating != UNANSWERED
        applicable = scale.is_applicable(rating)
        achieved = scale.is_achieved(rating)
        examined = scale.is_examined(rating)
        counts = (answered, applicable, achieved, examined)

        overall.add(*counts)
        if item.priority:
            priority.add(*counts)
        if item.level:
            by_level[item.level].add(*counts)
            if applicable and not achieved:
                level_complete[item.level] = False
        for code in item.sections:
            by_section.setdefault(code, _Counter()).add(*counts)

    attained = None
    for code in levels:
        if not level_complete[code]:
            break
        attained = code

    return ScoreSummary(
        overall=overall.freeze(),
        by_level={code: counter.freeze() for code, counter in by_level.items()},
        by_section={code: counter.freeze() for code, counter in by_section.items()},
        priority=priority.freeze(),
        levels=levels,
        level_attained=attained,
    )


def percent(value: Fraction | None) -> Decimal | None:
    """A rate as a percentage with one decimal, rounded half up; None stays None."""
    if value is None:
        return None
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def mean_rate(rates: Iterable[tuple[Fraction | None, Fraction | int]]) -> Fraction | None:
    """The exact mean of rates, each given with its weight (how many it stands for); undefined
    rates are left out, and the mean of nothing is undefined. Rounded once, by percent(), where
    it is shown: never a mean of rounded percentages (docs/rules.md, "Rates")."""
    total, weight = Fraction(0), Fraction(0)
    for rate, count in rates:
        if rate is not None and count:
            total += rate * count
            weight += count
    return total / weight if weight else None


@dataclass(frozen=True)
class Gap:
    """What stands between an assessment and its target level (docs/rules.md, "Target and gap"):
    for each level up to the target, the applicable items not yet achieved (item numbers, in
    item order). Unanswered items count: they are not achieved."""

    target: str
    levels: tuple[str, ...]  # the levels up to and including the target, in order
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # level -> item numbers

    @property
    def total(self) -> int:
        return sum(len(numbers) for numbers in self.missing.values())

    @property
    def reached(self) -> bool:
        return self.total == 0

    def count(self, level: str) -> int:
        return len(self.missing.get(level, ()))

    @property
    def items(self) -> frozenset[str]:
        return frozenset(number for numbers in self.missing.values() for number in numbers)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "total": self.total,
            "by_level": {level: list(self.missing.get(level, ())) for level in self.levels},
        }


def gap_to_target(
    *,
    scale: Scale,
    levels: Iterable[str],
    items: Iterable[ScoredItem],
    ratings: Mapping[str, str],
    target: str,
) -> Gap | None:
    """The gap to `target`: every applicable item of a level up to the target that is not
    achieved. None when the edition has no levels or the target is not one of them."""
    levels = tuple(levels)
    if target not in levels:
        return None
    wanted = levels[: levels.index(target) + 1]
    missing: dict[str, list[str]] = {level: [] for level in wanted}
    known = set(scale.codes)
    for item in items:
        if item.level not in missing:
            continue
        rating = ratings.get(item.number, UNANSWERED)
        if rating not in known:
            rating = UNANSWERED
        if scale.is_applicable(rating) and not scale.is_achieved(rating):
            missing[item.level].append(item.number)
    return Gap(target=target, levels=wanted, missing={level: tuple(numbers) for level, numbers in missing.items()})
