"""The industry's mean achievement rates of published releases, for a company's trend over the
years (reports/trend.py): one release per edition and fiscal year, read in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef

from ..models import Release, Submission
from .release_view import StoredStatistics


@dataclass(frozen=True)
class IndustryMeans:
    """The mean rates (percent, as the release page shows them) of the whole industry in one
    release; None where the release shows no figure (suppressed or undefined)."""

    release: Release
    overall: Decimal | None
    levels: dict[str, Decimal | None] = field(default_factory=dict)
    sections: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.release.label


def industry_means(organisation_id: int, pairs) -> dict[tuple[int, int], IndustryMeans]:
    """For each (edition pk, fiscal year) of `pairs` that a published release covers: its
    industry means. The release chosen is the one release_for_assessment would choose for that
    year exactly: a body the company submitted the edition to first, then the newest version."""
    pairs = set(pairs)
    if not pairs:
        return {}
    submitted_to_body = Submission.objects.filter(
        round__body=OuterRef("round__body"), organisation=organisation_id, edition=OuterRef("edition")
    )
    releases = (
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            edition__in={edition for edition, _ in pairs},
            round__fiscal_year__in={year for _, year in pairs},
        )
        .annotate(own_body=Exists(submitted_to_body))
        .select_related("round__body", "edition__guideline")
        .order_by("edition_id", "round__fiscal_year", "-own_body", "-version", "-published_at", "pk")
    )
    result: dict[tuple[int, int], IndustryMeans] = {}
    for release in releases:
        key = (release.edition_id, release.round.fiscal_year)
        if key not in pairs or key in result:
            continue
        data = StoredStatistics.of(release)
        result[key] = IndustryMeans(
            release=release,
            overall=data.cell("all", ("overall",)).mean,
            levels={code: data.cell("all", ("levels", code)).mean for code in data.levels},
            sections={code: data.cell("all", ("sections", code)).mean for code in data.sections},
        )
    return result
