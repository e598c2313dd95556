"""Reads of self-assessments, scoped to the acting member's organisation."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.http import Http404
from django.utils.translation import get_language

from keiretsu.accounts.models import Membership
from keiretsu.catalogue.models import Edition, Item
from keiretsu.catalogue.selectors import (
    EditionStructure,
    edition_structure,
    edition_structures,
    shown_context,
)
from keiretsu.programme import scoring

from .models import Answer, Assessment


def assessments_of(membership: Membership):
    return Assessment.objects.filter(organisation=membership.organisation_id).select_related(
        "organisation", "scope__parent", "scope__organisation", "edition__guideline"
    )


def assessment_for(membership: Membership, assessment_id) -> Assessment:
    """The assessment, if it belongs to the member's organisation; 404 otherwise."""
    try:
        return assessments_of(membership).get(pk=assessment_id)
    except Assessment.DoesNotExist:
        raise Http404 from None


def item_by_id(item_id) -> Item | None:
    """The item, of any edition, if it exists (answer_save refuses an item of another edition
    than the assessment's, with a message, rather than a 404)."""
    return Item.objects.filter(pk=item_id).first()


def compute_scores(structure: EditionStructure, answers: dict[int, Answer]) -> scoring.ScoreSummary:
    numbers = {item.pk: item.number for item in structure.items}
    edition = structure.edition
    return scoring.score(
        scale=edition.rating_scale,
        levels=edition.level_codes,
        items=structure.scored_items(),
        ratings={numbers[item_id]: a.rating for item_id, a in answers.items() if item_id in numbers},
    )


def scores_of(assessment: Assessment, structure: EditionStructure, answers: dict[int, Answer]) -> scoring.ScoreSummary:
    """A submitted assessment's frozen snapshot, or the live scores of one in progress."""
    if assessment.is_frozen and assessment.score_snapshot:
        return scoring.ScoreSummary.from_dict(assessment.score_snapshot)
    return compute_scores(structure, answers)


@dataclass
class ScoredAssessment:
    """An assessment with its edition's structure, its answers (item pk -> Answer) and its scores:
    what every page, file and API that shows one assessment starts from."""

    assessment: Assessment
    structure: EditionStructure
    answers: dict[int, Answer]
    scores: scoring.ScoreSummary


@dataclass(frozen=True, slots=True)
class Rating:
    """An answer's rating alone: all that scores and the gap to a target read."""

    rating: str


def assessment_scores(
    assessment: Assessment, *, with_authors: bool = False, ratings_only: bool = False
) -> ScoredAssessment:
    """One assessment, scored (scores_of): three queries. With ratings_only, its answers are
    Ratings, not Answers: a save's scoreboard needs no more, and 153 model instances cost a
    save a fifth of its time (issue 10)."""
    structure = edition_structure(assessment.edition)
    answers = Answer.objects.filter(assessment=assessment)
    if ratings_only:
        answers = {item_id: Rating(rating) for item_id, rating in answers.values_list("item_id", "rating")}
    else:
        if with_authors:
            answers = answers.select_related("updated_by")
        answers = {a.item_id: a for a in answers}
    return ScoredAssessment(assessment, structure, answers, scores_of(assessment, structure, answers))


def scored_assessments(assessments) -> dict[int, ScoredAssessment]:
    """Several assessments, scored, in three queries however many (assessment pk -> result).
    Answers are read only for those in progress: a submitted one has its frozen snapshot."""
    assessments = list(assessments)
    structures = edition_structures({a.edition_id: a.edition for a in assessments}.values())
    drafts = [a.pk for a in assessments if not (a.is_frozen and a.score_snapshot)]
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(assessment__in=drafts):
        answers[answer.assessment_id][answer.item_id] = answer
    return {
        a.pk: ScoredAssessment(
            a, structures[a.edition_id], answers[a.pk], scores_of(a, structures[a.edition_id], answers[a.pk])
        )
        for a in assessments
    }


FILTERS = ("unanswered", "rating", "level", "priority", "missing")


@dataclass
class ChecklistFilter:
    unanswered: bool = False
    rating: str = ""
    level: str = ""
    priority: bool = False

    @classmethod
    def from_query(cls, query, edition: Edition):
        rating = edition.rating_scale.normalise(query.get("rating", "")) or ""
        level = query.get("level", "")
        return cls(
            unanswered=query.get("unanswered") == "1",
            rating=rating,
            level=level if level in edition.level_codes else "",
            priority=query.get("priority") == "1",
        )

    @property
    def active(self):
        return bool(self.unanswered or self.rating or self.level or self.priority)

    def keeps(self, item: Item, answer: Answer | None) -> bool:
        rating = answer.rating if answer else ""
        if self.unanswered and rating:
            return False
        if self.rating and rating != self.rating:
            return False
        if self.level and item.level != self.level:
            return False
        if self.priority and not item.is_priority:
            return False
        return True


@dataclass
class ChecklistRow:
    """One item of the checklist. Its references and related items are on the catalogue page,
    which the item's number opens: the checklist stays light (issue 12, section 6)."""

    item: Item
    answer: Answer | None
    previous_rating: str = ""
    # Purpose and requirement repeat over consecutive items (merged cells in the checksheet):
    # show them where they change, as the document does.
    show_purpose: bool = True
    show_requirement: bool = True


@dataclass
class ChecklistGroup:
    section: object
    rows: list[ChecklistRow] = field(default_factory=list)


@dataclass
class Checklist:
    assessment: Assessment
    structure: EditionStructure
    answers: dict[int, Answer]
    scores: scoring.ScoreSummary
    groups: list[ChecklistGroup]
    shown: int
    filter: ChecklistFilter
    # Item texts never change once loaded: the page caches each item's text under this key
    # (templatetags/checklist.py).
    catalogue_key: str = ""


def checklist(assessment: Assessment, query) -> Checklist:
    """Everything the assessment page shows, in a number of queries that does not grow with the items."""
    scored = assessment_scores(assessment)
    structure, answers, scores = scored.structure, scored.answers, scored.scores
    previous = previous_year_ratings(assessment)
    item_filter = ChecklistFilter.from_query(query, assessment.edition)

    sections = {section.pk: section for section in structure.sections}
    groups: dict[int, ChecklistGroup] = {}
    shown = 0
    for item in structure.items:
        answer = answers.get(item.pk)
        if not item_filter.keeps(item, answer):
            continue
        shown += 1
        section = sections[item.section_id]
        group = groups.setdefault(item.section_id, ChecklistGroup(section=section))
        show_purpose, show_requirement = shown_context(item, group.rows[-1].item if group.rows else None, section)
        group.rows.append(ChecklistRow(
            item,
            answer,
            previous.get(item.pk, ""),
            show_purpose=show_purpose,
            show_requirement=show_requirement,
        ))
    return Checklist(
        assessment=assessment,
        structure=structure,
        answers=answers,
        scores=scores,
        groups=list(groups.values()),
        shown=shown,
        filter=item_filter,
        catalogue_key=catalogue_key(assessment.edition),
    )


def catalogue_key(edition: Edition) -> str:
    return f"{edition.content_hash[:16]}.{edition.loaded_at.timestamp()}"


@dataclass(frozen=True)
class RatingOption:
    symbol: str
    label: str
    meaning: str
    needs_reason: bool


def rating_options(edition: Edition) -> list[RatingOption]:
    """The edition's rating buttons, labelled in the user's language."""
    english = get_language() == "en"
    scale = edition.rating_scale
    return [
        RatingOption(
            symbol=s.symbol,
            label=(english and s.label_en) or s.label,
            meaning=(english and s.meaning_en) or s.meaning,
            needs_reason=scale.needs_reason(s.symbol),
        )
        for s in scale.symbols
    ]


def previous_year_assessment(assessment: Assessment) -> Assessment | None:
    """"Last year" of an assessment, the one definition (docs/rules.md, "Last year"): the latest
    submitted revision of the same scope and the same edition for the previous fiscal year.

    The same edition, not merely the same guideline: a new edition may add, remove or renumber
    items and move them between levels, so only within one edition are the rates comparable to
    the digit and the items matched one for one (and it is what a new assessment carries
    forward). The checklist, the management report and the benchmark comparison all ask here,
    so after a new edition none of them compares with the old one.
    """
    return (
        Assessment.objects.filter(
            scope=assessment.scope_id,
            edition=assessment.edition_id,
            fiscal_year=assessment.fiscal_year - 1,
            status=Assessment.Status.SUBMITTED,
        )
        .select_related("edition")
        .order_by("-revision")
        .first()
    )


def previous_year_ratings(assessment: Assessment) -> dict[int, str]:
    """Last year's submitted ratings: the annual review's baseline."""
    previous = previous_year_assessment(assessment)
    if previous is None:
        return {}
    return dict(Answer.objects.filter(assessment=previous).values_list("item_id", "rating"))


@dataclass
class DashboardEntry:
    assessment: Assessment
    scores: scoring.ScoreSummary
    structure: EditionStructure


def latest_assessments(membership: Membership) -> list[DashboardEntry]:
    """For each scope and edition, its latest assessment (newest year, newest revision), scored."""
    latest = {}
    for assessment in assessments_of(membership).order_by("-fiscal_year", "-revision"):
        latest.setdefault((assessment.scope_id, assessment.edition_id), assessment)
    if not latest:
        return []
    scored = scored_assessments(latest.values())
    entries = [DashboardEntry(a, scored[a.pk].scores, scored[a.pk].structure) for a in latest.values()]
    entries.sort(key=lambda e: (e.assessment.scope.kind != "company", e.assessment.scope.display_name, str(e.assessment.edition)))
    return entries
