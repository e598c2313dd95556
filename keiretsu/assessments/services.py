"""Writes to self-assessments: start, answer, submit, revise. Each one audited, in one transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Scope
from keiretsu.catalogue.models import Edition, Item
from keiretsu.catalogue.selectors import edition_structure, visible_to
from keiretsu.lib.refusals import BadInput, Conflict, NotAllowed, NotFound, Refusal, require_own
from keiretsu.programme import scoring

from .models import Answer, Assessment, AssessmentEvent


class AssessmentError(Refusal):
    """A refused change to an assessment (lib.refusals: message, status, problems)."""


class InvalidAnswer(AssessmentError, BadInput):
    pass


class AssessmentFrozen(AssessmentError, Conflict):
    pass


class AlreadyExists(AssessmentError, Conflict):
    def __init__(self, message, *, existing):
        super().__init__(message)
        self.existing = existing


class SubmissionIncomplete(AssessmentError, BadInput):
    pass


def scope_fits_edition(scope: Scope, edition: Edition) -> bool:
    """Company-wide editions are assessed for the company; site editions per factory or line."""
    if edition.assessed_per == Edition.AssessedPer.COMPANY:
        return scope.kind == Scope.Kind.COMPANY
    return scope.kind in (Scope.Kind.FACTORY, Scope.Kind.LINE)


def assessment_create(
    *, membership: Membership, actor, scope: Scope, edition: Edition, fiscal_year: int, carry_forward: bool = False
) -> Assessment:
    """Start an assessment; optionally from the answers of the previous year's submission."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot start an assessment."))
    if scope.organisation_id != membership.organisation_id:
        raise InvalidAnswer(_("This factory or line is not part of your organisation."))
    if not Edition.objects.filter(visible_to([membership.organisation_id]), pk=edition.pk).exists():
        raise NotFound(_("This guideline edition is not loaded here."))  # another company's import
    if not scope_fits_edition(scope, edition):
        if edition.assessed_per == Edition.AssessedPer.COMPANY:
            raise InvalidAnswer(_("This edition is assessed for the whole company."))
        raise InvalidAnswer(_("This edition is assessed per factory or production line."))
    existing = Assessment.objects.filter(scope=scope, edition=edition, fiscal_year=fiscal_year).order_by("-revision").first()
    if existing is not None:
        raise AlreadyExists(
            _("There is already an assessment of this scope against this edition for this fiscal year."),
            existing=existing,
        )
    previous = None
    if carry_forward:
        previous = (
            Assessment.objects.filter(
                scope=scope, edition=edition, fiscal_year=fiscal_year - 1, status=Assessment.Status.SUBMITTED
            )
            .order_by("-revision")
            .first()
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    organisation=membership.organisation,
                    scope=scope,
                    edition=edition,
                    fiscal_year=fiscal_year,
                    created_by=actor,
                )
        except IntegrityError:
            raise AlreadyExists(
                _("There is already an assessment of this scope against this edition for this fiscal year."),
                existing=Assessment.objects.filter(scope=scope, edition=edition, fiscal_year=fiscal_year).first(),
            ) from None
        copied = _copy_answers(previous, assessment, actor) if previous else 0
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=AssessmentEvent.CREATED,
            target=assessment,
            after={
                "scope": scope.display_name,
                "edition": f"{edition.guideline.slug} {edition.code}",
                "fiscal_year": fiscal_year,
                "carried_forward_from": previous.pk if previous else None,
                "answers_copied": copied,
            },
        )
    return assessment


def _copy_answers(source: Assessment, target: Assessment, actor) -> int:
    answers = [
        Answer(
            assessment=target,
            item_id=answer.item_id,
            rating=answer.rating,
            reason=answer.reason,
            comment=answer.comment,
            updated_by=actor,
        )
        for answer in source.answers.all()
    ]
    Answer.objects.bulk_create(answers)
    return len(answers)


@dataclass
class SavedAnswer:
    answer: Answer
    changed: bool


def too_long_message(label, length: int) -> str:
    return _("%(field)s is too long: %(length)s characters, at most %(limit)s. Shorten it and save again.") % {
        "field": label, "length": f"{length:,}", "limit": f"{Answer.MAX_TEXT:,}",
    }


def answer_save(
    *, membership: Membership, actor, assessment: Assessment, item: Item, rating: str, reason: str = "", comment: str = ""
) -> SavedAnswer:
    """Record one answer. An empty rating clears it. Refuses, leaving everything as it was:
    a symbol outside the edition's scale, an item of another edition, a submitted assessment."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot change answers."))
    require_own(membership, assessment.organisation_id)
    if item.edition_id != assessment.edition_id:
        raise InvalidAnswer(_("This item belongs to another edition than the assessment."))
    symbol = ""
    if rating.strip():
        symbol = assessment.edition.rating_scale.normalise(rating)
        if symbol is None:
            raise InvalidAnswer(
                _("“%(rating)s” is not a rating of this edition. Choose one of: %(symbols)s")
                % {"rating": rating.strip()[:20], "symbols": " ".join(assessment.edition.rating_scale.codes)}
            )
    reason, comment = reason.strip(), comment.strip()
    for label, value in ((_("The reason"), reason), (_("The comment"), comment)):
        if len(value) > Answer.MAX_TEXT:
            raise InvalidAnswer(too_long_message(label, len(value)))
    with transaction.atomic():
        # Lock the assessment so an answer never slips in after a concurrent submit.
        status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
        if status == Assessment.Status.SUBMITTED:
            raise AssessmentFrozen(
                _("This assessment has been submitted and can no longer be changed. Start a revision to change it.")
            )
        answer, created = Answer.objects.get_or_create(
            assessment=assessment, item=item, defaults={"updated_by": actor}
        )
        before = None if created else answer.as_audit()
        answer.rating, answer.reason, answer.comment = symbol, reason, comment
        after = answer.as_audit()
        if before == after:
            return SavedAnswer(answer, changed=False)
        answer.updated_by = actor
        answer.save()
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=AssessmentEvent.ANSWER_CHANGED,
            target=assessment,
            target_label=f"{assessment} No.{item.number}",
            before={"item": item.number, **(before or {})},
            after={"item": item.number, **after},
        )
    return SavedAnswer(answer, changed=True)


@dataclass(frozen=True)
class MissingAnswer:
    item: Item
    problem: str  # "unanswered" or "reason"


def submission_problems(structure, answers_by_item: dict[int, Answer]) -> list[MissingAnswer]:
    """What stops a submission: unanswered items, and answers whose rating needs a reason without one."""
    scale = structure.edition.rating_scale
    problems = []
    for item in structure.items:
        answer = answers_by_item.get(item.pk)
        if answer is None or not answer.rating:
            problems.append(MissingAnswer(item, "unanswered"))
        elif scale.lacks_reason(answer.rating, answer.reason):
            problems.append(MissingAnswer(item, "reason"))
    return problems


def assessment_submit(*, membership: Membership, actor, assessment: Assessment) -> Assessment:
    if not membership.can_submit:
        raise NotAllowed(_("Only an owner can submit an assessment."))
    require_own(membership, assessment.organisation_id)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("edition__guideline").get(pk=assessment.pk)
        if assessment.is_frozen:
            raise AssessmentFrozen(_("This assessment has already been submitted."))
        structure = edition_structure(assessment.edition)
        answers = {a.item_id: a for a in assessment.answers.all()}
        problems = submission_problems(structure, answers)
        if problems:
            raise SubmissionIncomplete(
                _("The assessment cannot be submitted yet: every item needs a rating, and some ratings need a reason."),
                problems=problems,
            )
        numbers = {item.pk: item.number for item in structure.items}
        summary = scoring.score(
            scale=assessment.edition.rating_scale,
            levels=assessment.edition.level_codes,
            items=structure.scored_items(),
            ratings={numbers[item_id]: a.rating for item_id, a in answers.items()},
        )
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = actor
        assessment.score_snapshot = summary.as_dict()
        assessment.save(update_fields=["status", "submitted_at", "submitted_by", "score_snapshot", "updated_at"])
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=AssessmentEvent.SUBMITTED,
            target=assessment,
            before={"status": Assessment.Status.DRAFT},
            after={"status": Assessment.Status.SUBMITTED, "scores": summary.as_dict()},
        )
    return assessment


def assessment_revise(*, membership: Membership, actor, assessment: Assessment) -> Assessment:
    """Start the next revision of a submitted assessment, from its answers."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot start a revision."))
    require_own(membership, assessment.organisation_id)
    with transaction.atomic():
        latest = (
            Assessment.objects.select_for_update()
            .filter(scope=assessment.scope_id, edition=assessment.edition_id, fiscal_year=assessment.fiscal_year)
            .order_by("-revision")
            .first()
        )
        if latest.pk != assessment.pk or not assessment.is_frozen:
            raise AlreadyExists(_("A newer revision of this assessment already exists."), existing=latest)
        revision = Assessment.objects.create(
            organisation=assessment.organisation,
            scope=assessment.scope,
            edition=assessment.edition,
            fiscal_year=assessment.fiscal_year,
            revision=assessment.revision + 1,
            revised_from=assessment,
            created_by=actor,
        )
        copied = _copy_answers(assessment, revision, actor)
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=AssessmentEvent.REVISED,
            target=revision,
            after={"revised_from": assessment.pk, "revision": revision.revision, "answers_copied": copied},
        )
    return revision
