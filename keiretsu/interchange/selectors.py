"""Reads for the exchanged documents, scoped to the acting member's organisation.

Scores come from assessments.selectors.scores_of (the frozen snapshot of a submitted
assessment, the live scores of one in progress): the files say what the web page says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from keiretsu.accounts.models import Membership
from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.models import Item, Section
from keiretsu.catalogue.selectors import EditionStructure
from keiretsu.programme.scoring import ScoreSummary

from .models import ChecksheetImport, EditionImport


@dataclass
class AssessmentData:
    """An assessment with everything an export shows, read in a constant number of queries."""

    assessment: Assessment
    structure: EditionStructure
    answers: dict[int, Answer]  # item pk -> answer
    scores: ScoreSummary

    @property
    def edition(self):
        return self.assessment.edition

    @property
    def sections(self) -> dict[int, Section]:
        return {section.pk: section for section in self.structure.sections}

    def answer(self, item: Item) -> Answer | None:
        return self.answers.get(item.pk)

    def has_text(self, field_name: str) -> bool:
        return any(getattr(item, field_name) for item in self.structure.items)

    @property
    def has_priority(self) -> bool:
        return any(item.is_priority for item in self.structure.items)


def assessment_data(assessment: Assessment) -> AssessmentData:
    scored = assessment_selectors.assessment_scores(assessment, with_authors=True)
    return AssessmentData(
        assessment=assessment, structure=scored.structure, answers=scored.answers, scores=scored.scores
    )


def checksheet_import_for(membership: Membership, assessment: Assessment, import_id) -> ChecksheetImport:
    try:
        return ChecksheetImport.objects.select_related("created_by").get(
            pk=import_id, organisation=membership.organisation_id, assessment=assessment
        )
    except ChecksheetImport.DoesNotExist:
        raise Http404 from None


def edition_import_for(user, import_id, membership: Membership | None = None) -> EditionImport:
    """A pending catalogue import: the administrator's own (instance-wide), or, with
    `membership`, one of that organisation's; 404 for anyone else."""
    if membership is not None:
        imports = EditionImport.objects.filter(organisation=membership.organisation_id)
    elif user.is_authenticated and user.is_staff:
        imports = EditionImport.objects.filter(organisation=None)
    else:
        raise Http404
    try:
        return imports.select_related("created_by", "edition").get(pk=import_id)
    except EditionImport.DoesNotExist:
        raise Http404 from None


def recent_edition_imports(limit=10, membership: Membership | None = None):
    organisation = membership.organisation_id if membership is not None else None
    return (
        EditionImport.objects.filter(organisation=organisation)
        .select_related("created_by", "edition")
        .order_by("-created_at")[:limit]
    )
