"""Writes to self-assessments: start, answer, submit, revise. Each one audited, in one transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Scope
from keiretsu.catalogue.models import Edition, Item
from keiretsu.catalogue.selectors import edition_structure, visible_to
from keiretsu.lib.refusals import BadInput, Conflict, NotAllowed, NotFound, Refusal, require_own
from keiretsu.programme import scoring

from .models import Answer, Approval, ApprovalPolicy, Assessment, AssessmentEvent


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


class NotApproved(AssessmentError, Conflict):
    pass


class ApprovalRefused(AssessmentError, NotAllowed):
    pass


class ApprovalConflict(AssessmentError, Conflict):
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
        copied = _copy_answers(previous, assessment, actor, carry_over=True) if previous else 0
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


def needs_yearly_review(scale, rating: str) -> bool:
    """A rating carried over from last year that is a residual risk to review (docs/rules.md,
    "The yearly review"): applicable and not achieved (□ △ × on the factory scale)."""
    return rating in scale.codes and scale.is_applicable(rating) and not scale.is_achieved(rating)


def _copy_answers(source: Assessment, target: Assessment, actor, *, carry_over: bool = False) -> int:
    """A revision copies the answers as they are (reviews too); carrying last year over starts
    this year's review: every □ △ × awaits one."""
    scale = target.edition.rating_scale
    answers = []
    for answer in source.answers.all():
        copy = Answer(
            assessment=target,
            item_id=answer.item_id,
            rating=answer.rating,
            reason=answer.reason,
            comment=answer.comment,
            updated_by=actor,
        )
        if carry_over:
            copy.review_required = needs_yearly_review(scale, answer.rating)
        else:
            copy.review_required, copy.review_note = answer.review_required, answer.review_note
            copy.reviewed_at, copy.reviewed_by_id = answer.reviewed_at, answer.reviewed_by_id
        answers.append(copy)
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
    *,
    membership: Membership,
    actor,
    assessment: Assessment,
    item: Item,
    rating: str,
    reason: str = "",
    comment: str = "",
    review_note: str | None = None,
) -> SavedAnswer:
    """Record one answer. An empty rating clears it. Refuses, leaving everything as it was:
    a symbol outside the edition's scale, an item of another edition, a submitted assessment.

    The yearly review: a rating carried over that awaits review is reviewed when the rating
    changes or a review note is given (`review_note`; None leaves the note as it is)."""
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
    review_note = review_note.strip() if review_note is not None else None
    for label, value in ((_("The reason"), reason), (_("The comment"), comment), (_("The review note"), review_note or "")):
        if len(value) > Answer.MAX_TEXT:
            raise InvalidAnswer(too_long_message(label, len(value)))
    with transaction.atomic():
        # Lock the assessment so an answer never slips in after a concurrent submit.
        status, approval = (
            Assessment.objects.select_for_update().values_list("status", "approval").get(pk=assessment.pk)
        )
        if status == Assessment.Status.SUBMITTED:
            raise AssessmentFrozen(
                _("This assessment has been submitted and can no longer be changed. Start a revision to change it.")
            )
        answer, created = Answer.objects.get_or_create(
            assessment=assessment, item=item, defaults={"updated_by": actor}
        )
        before = None if created else answer.as_audit()
        rating_changed = answer.rating != symbol
        answer.rating, answer.reason, answer.comment = symbol, reason, comment
        if review_note is not None:
            answer.review_note = review_note
        after = answer.as_audit()
        if before == after:
            return SavedAnswer(answer, changed=False)
        event = AssessmentEvent.ANSWER_CHANGED
        if answer.awaits_review and (rating_changed or answer.review_note):
            answer.reviewed_at, answer.reviewed_by = timezone.now(), actor
            event = AssessmentEvent.ANSWER_REVIEWED
        answer.updated_by = actor
        answer.save()
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=event,
            target=assessment,
            target_label=f"{assessment} No.{item.number}",
            before={"item": item.number, **(before or {})},
            after={"item": item.number, **after},
        )
        if approval == Approval.APPROVED:
            approval_reopen(actor=actor, assessment=assessment)
    return SavedAnswer(answer, changed=True)


@dataclass(frozen=True)
class MissingAnswer:
    item: Item
    problem: str  # "unanswered", "reason" or "review"


def submission_problems(structure, answers_by_item: dict[int, Answer]) -> list[MissingAnswer]:
    """What stops a submission: unanswered items, answers whose rating needs a reason without
    one, and ratings carried over from last year that await their yearly review."""
    scale = structure.edition.rating_scale
    problems = []
    for item in structure.items:
        answer = answers_by_item.get(item.pk)
        if answer is None or not answer.rating:
            problems.append(MissingAnswer(item, "unanswered"))
        elif scale.lacks_reason(answer.rating, answer.reason):
            problems.append(MissingAnswer(item, "reason"))
        elif answer.awaits_review:
            problems.append(MissingAnswer(item, "review"))
    return problems


def assessment_submit(*, membership: Membership, actor, assessment: Assessment) -> Assessment:
    if not membership.can_submit:
        raise NotAllowed(_("Only an owner can submit an assessment."))
    require_own(membership, assessment.organisation_id)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("edition__guideline").get(pk=assessment.pk)
        if assessment.is_frozen:
            raise AssessmentFrozen(_("This assessment has already been submitted."))
        if approval_required(assessment.organisation_id) and assessment.approval != Approval.APPROVED:
            raise NotApproved(_(
                "Your organisation submits only approved assessments: an assessor marks it ready, then an owner "
                "approves it. This assessment has not been approved yet."
            ))
        structure = edition_structure(assessment.edition)
        answers = {a.item_id: a for a in assessment.answers.all()}
        problems = submission_problems(structure, answers)
        if problems:
            to_review = sum(1 for p in problems if p.problem == "review")
            if to_review:
                message = ngettext(
                    "The assessment cannot be submitted yet: %(n)s rating carried over from last year has not been "
                    "reviewed (confirm it with a note, or change it).",
                    "The assessment cannot be submitted yet: %(n)s ratings carried over from last year have not been "
                    "reviewed (confirm each with a note, or change it).",
                    to_review,
                ) % {"n": to_review}
            else:
                message = _(
                    "The assessment cannot be submitted yet: every item needs a rating, and some ratings need a reason."
                )
            raise SubmissionIncomplete(message, problems=problems)
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
        copied = _copy_answers(assessment, revision, actor)  # reviews as they were
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=AssessmentEvent.REVISED,
            target=revision,
            after={"revised_from": assessment.pk, "revision": revision.revision, "answers_copied": copied},
        )
    return revision


# --- The approval step (docs/rules.md, "Approval") -----------------------------------------------


def approval_required(organisation_id) -> bool:
    """Whether the organisation has assessments approved by an owner before submission (one query)."""
    return ApprovalPolicy.objects.filter(organisation=organisation_id, required=True).exists()


def approval_policy_set(*, membership: Membership, actor, required: bool) -> bool:
    """Switch the approval step on or off (owners only, audited). Returns whether it changed."""
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner can switch the approval step on or off."))
    with transaction.atomic():
        policy, _created = ApprovalPolicy.objects.select_for_update().get_or_create(
            organisation=membership.organisation, defaults={"updated_by": actor}
        )
        if policy.required == required:
            return False
        before = policy.required
        policy.required, policy.updated_by = required, actor
        policy.save()
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=AssessmentEvent.APPROVAL_POLICY_SET,
            target=membership.organisation,
            before={"approval_required": before},
            after={"approval_required": required},
        )
    return True


def _approval_step(*, actor, assessment: Assessment, event, to: str, comment: str = "", allowed_from=None):
    """Inside a transaction: move the (locked) assessment to `to`, audited."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_frozen:
        raise AssessmentFrozen(_("This assessment has already been submitted."))
    if allowed_from is not None and locked.approval not in allowed_from:
        if locked.approval == Approval.APPROVED:
            raise ApprovalConflict(_("This assessment is already approved."))
        raise ApprovalConflict(
            _("Only an assessment marked ready for approval can be approved or returned. An assessor marks it ready first.")
        )
    before = {"approval": locked.approval, "approval_comment": locked.approval_comment}
    locked.approval, locked.approval_comment = to, comment
    locked.approval_by, locked.approval_at = actor, timezone.now()
    locked.save(update_fields=["approval", "approval_comment", "approval_by", "approval_at", "updated_at"])
    audit.record(
        actor=actor,
        organisation=locked.organisation,
        event=event,
        target=locked,
        before=before,
        after={"approval": to, "approval_comment": comment},
    )
    assessment.approval, assessment.approval_comment = locked.approval, locked.approval_comment
    assessment.approval_by, assessment.approval_at = locked.approval_by, locked.approval_at
    return assessment


def assessment_mark_ready(*, membership: Membership, actor, assessment: Assessment) -> Assessment:
    """An assessor (or an owner) says the assessment is ready for an owner's approval."""
    if not membership.can_answer:
        raise NotAllowed(_("Viewers cannot mark an assessment ready."))
    require_own(membership, assessment.organisation_id)
    with transaction.atomic():
        current = Assessment.objects.select_for_update().values_list("approval", flat=True).get(pk=assessment.pk)
        if current in (Approval.READY, Approval.APPROVED):
            raise ApprovalConflict(
                _("This assessment is already approved.") if current == Approval.APPROVED
                else _("This assessment is already marked ready for approval.")
            )
        return _approval_step(actor=actor, assessment=assessment, event=AssessmentEvent.MARKED_READY, to=Approval.READY)


def assessment_approve(*, membership: Membership, actor, assessment: Assessment) -> Assessment:
    """An owner approves an assessment marked ready: it may then be submitted."""
    if not membership.can_submit:
        raise ApprovalRefused(_("Only an owner can approve an assessment. Ask an owner of your organisation to approve it."))
    require_own(membership, assessment.organisation_id)
    with transaction.atomic():
        return _approval_step(
            actor=actor, assessment=assessment, event=AssessmentEvent.APPROVED, to=Approval.APPROVED,
            allowed_from=(Approval.READY,),
        )


def assessment_return(*, membership: Membership, actor, assessment: Assessment, comment: str) -> Assessment:
    """An owner returns an assessment marked ready, saying what to rework (a comment is required)."""
    if not membership.can_submit:
        raise ApprovalRefused(_("Only an owner can return an assessment for rework."))
    require_own(membership, assessment.organisation_id)
    comment = comment.strip()
    if not comment:
        raise InvalidAnswer(_("Say what should be reworked: a comment is required to return an assessment."))
    if len(comment) > Answer.MAX_TEXT:
        raise InvalidAnswer(too_long_message(_("The comment"), len(comment)))
    with transaction.atomic():
        return _approval_step(
            actor=actor, assessment=assessment, event=AssessmentEvent.RETURNED, to=Approval.RETURNED,
            comment=comment, allowed_from=(Approval.READY,),
        )


def approval_reopen(*, actor, assessment: Assessment):
    """Inside the transaction of a change to an approved assessment's answers (answer_save, a
    checksheet import): the approval no longer holds; the assessment is in progress again."""
    changed = Assessment.objects.filter(pk=assessment.pk, approval=Approval.APPROVED).update(
        approval=Approval.CHANGED, approval_by=actor, approval_at=timezone.now()
    )
    if changed:
        assessment.approval = Approval.CHANGED
        audit.record(
            actor=actor,
            organisation=assessment.organisation,
            event=AssessmentEvent.REOPENED,
            target=assessment,
            before={"approval": Approval.APPROVED},
            after={"approval": Approval.CHANGED},
        )
