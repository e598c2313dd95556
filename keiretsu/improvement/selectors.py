"""Reads of the improvement plan, scoped to the acting member's organisation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Answer
from keiretsu.assessments.selectors import ScoredAssessment
from keiretsu.catalogue.models import Edition
from keiretsu.lib.fiscal_year import bounds, fiscal_year_of
from keiretsu.programme import scoring, targets

from .models import Target


def end_of_fiscal_year(today: datetime.date | None = None) -> datetime.date:
    """The default target date: the end of the current fiscal year (31 March)."""
    today = today or timezone.localdate()
    return bounds(fiscal_year_of(today))[1]


@dataclass(frozen=True)
class EffectiveTarget:
    """The target an organisation has for an edition: its own, or the programme's default."""

    edition: Edition
    level: str
    target_date: datetime.date
    is_default: bool

    @property
    def level_title(self) -> str:
        return self.edition.level_title(self.level)


def default_target(organisation, edition: Edition) -> EffectiveTarget | None:
    level = targets.default_target(
        levels=edition.level_codes,
        tier=organisation.tier,
        business_type=organisation.business_type,
        size_band=organisation.size_band,
    )
    if level is None:
        return None
    return EffectiveTarget(edition, level, end_of_fiscal_year(), is_default=True)


def targets_for(membership: Membership, editions) -> dict[int, EffectiveTarget]:
    """Each edition's target (edition pk -> target) in one query; editions without levels have none."""
    return organisation_targets(membership.organisation, editions)


def organisation_targets(organisation, editions) -> dict[int, EffectiveTarget]:
    """targets_for, for a reader that already holds the organisation (the management report of
    an assessment read through assessments.selectors.assessment_for)."""
    editions = {edition.pk: edition for edition in editions if edition.level_codes}
    if not editions:
        return {}
    stored = {
        t.edition_id: t
        for t in Target.objects.filter(organisation=organisation.pk, edition__in=list(editions))
    }
    result = {}
    for pk, edition in editions.items():
        own = stored.get(pk)
        if own is not None and own.level in edition.level_codes:
            result[pk] = EffectiveTarget(edition, own.level, own.target_date, is_default=False)
        else:
            target = default_target(organisation, edition)
            if target is not None:
                result[pk] = target
    return result


def target_for(membership: Membership, edition: Edition) -> EffectiveTarget | None:
    """One edition's target: one query, also for an edition without levels (so that a page
    takes the same queries whichever edition it shows)."""
    own = Target.objects.filter(organisation=membership.organisation_id, edition=edition.pk).first()
    if own is not None and own.level in edition.level_codes:
        return EffectiveTarget(edition, own.level, own.target_date, is_default=False)
    return default_target(membership.organisation, edition)


def ratings_by_number(scored: ScoredAssessment) -> dict[str, str]:
    numbers = {item.pk: item.number for item in scored.structure.items}
    return {numbers[item_id]: a.rating for item_id, a in scored.answers.items() if item_id in numbers}


def gap_of(scored: ScoredAssessment, target: EffectiveTarget | None, ratings: dict[str, str] | None = None):
    """The gap of one assessment to its target (scoring.gap_to_target), or None (no levels)."""
    if target is None:
        return None
    edition = scored.structure.edition
    return scoring.gap_to_target(
        scale=edition.rating_scale,
        levels=edition.level_codes,
        items=scored.structure.scored_items(),
        ratings=ratings_by_number(scored) if ratings is None else ratings,
        target=target.level,
    )


def ratings_of(assessment_ids) -> dict[int, dict[int, str]]:
    """Ratings of several assessments (assessment pk -> item pk -> rating), one query: the
    dashboard reads frozen scores of submitted ones and their gaps need the ratings too."""
    result: dict[int, dict[int, str]] = {pk: {} for pk in assessment_ids}
    for assessment_id, item_id, rating in Answer.objects.filter(assessment__in=list(assessment_ids)).values_list(
        "assessment_id", "item_id", "rating"
    ):
        result[assessment_id][item_id] = rating
    return result
