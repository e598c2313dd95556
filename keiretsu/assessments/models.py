from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation, Scope
from keiretsu.catalogue.models import Edition, Item
from keiretsu.lib.fiscal_year import fiscal_year_label, separator


class AssessmentEvent(models.TextChoices):
    CREATED = "assessment.created", _("Assessment started")
    ANSWER_CHANGED = "assessment.answer_changed", _("Answer changed")
    ANSWER_REVIEWED = "assessment.answer_reviewed", _("Answer reviewed")
    SUBMITTED = "assessment.submitted", _("Assessment submitted")
    REVISED = "assessment.revised", _("Revision started")
    MARKED_READY = "assessment.marked_ready", _("Assessment marked ready for approval")
    APPROVED = "assessment.approved", _("Assessment approved")
    RETURNED = "assessment.returned", _("Assessment returned for rework")
    REOPENED = "assessment.reopened", _("Approval withdrawn by a change")
    APPROVAL_POLICY_SET = "assessment.approval_policy_set", _("Approval step switched on or off")


audit.register_events(AssessmentEvent)


class Approval(models.TextChoices):
    """Where an assessment in progress stands on the organisation's approval step (docs/rules.md,
    "Approval"): assessors mark it ready, an owner approves or returns it; a change to an answer
    after approval sends it back (CHANGED: in progress again, approved no more)."""

    NONE = "", _("In progress")
    READY = "ready", _("Ready for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for rework")
    CHANGED = "changed", _("Changed after approval")


class ApprovalPolicy(models.Model):
    """An organisation's choice to have assessments approved by an owner before submission.
    Without a row, there is no approval step."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="approval_policy")
    required = models.BooleanField(_("an owner approves each assessment before it is submitted"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class Assessment(models.Model):
    """One self-assessment of one scope against one edition for one fiscal year.

    Submitting freezes it; "revise" starts the next revision from its answers. What was
    submitted (and shared) stays exactly as it was.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="assessments")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="assessments")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    revision = models.PositiveIntegerField(default=1)
    revised_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The scores at submission (scoring.ScoreSummary.as_dict()), frozen with the answers.
    score_snapshot = models.JSONField(null=True, blank=True)
    # The approval step (Approval), when the organisation has one: the last step taken, by whom,
    # when, and the owner's comment when returned.
    approval = models.CharField(max_length=16, choices=Approval.choices, blank=True, default="", db_default="")
    approval_comment = models.TextField(blank=True, default="", db_default="")
    approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "scope_id", "edition_id", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "edition", "fiscal_year", "revision"], name="assessment_unique_revision"
            ),
            # At most one revision in progress per scope, edition and year.
            models.UniqueConstraint(
                fields=["scope", "edition", "fiscal_year"],
                condition=models.Q(status="draft"),
                name="assessment_one_draft",
            ),
        ]
        indexes = [
            # The dashboard: an organisation's latest assessments.
            models.Index(fields=["organisation", "-fiscal_year"], name="assessment_org_year"),
        ]

    def __str__(self):
        revision = _("revision %(n)s") % {"n": self.revision}
        sep = separator()
        return f"{self.scope}{sep}{self.edition}{sep}{fiscal_year_label(self.fiscal_year)}{sep}{revision}"

    @property
    def is_frozen(self):
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    # The longest reason or comment, however it arrives (the form, the API, a checksheet).
    MAX_TEXT = 4000

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=16, blank=True)  # "" = not rated yet
    reason = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # The yearly review (docs/rules.md, "The yearly review"): a rating carried over from last
    # year that is applicable and not achieved (□ △ ×) is reviewed before submission, with a
    # note (□: is the reason still valid, how far has preparation come; △ ×: where does the
    # discussion stand) or by changing the rating.
    # Database defaults too: the checksheet import inserts answers in bulk, naming its columns.
    review_required = models.BooleanField(default=False, db_default=False)
    review_note = models.TextField(blank=True, default="", db_default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="answer_unique_item")]

    def __str__(self):
        return f"{self.assessment_id}/{self.item_id}: {self.rating or '-'}"

    def as_audit(self):
        values = {"rating": self.rating, "reason": self.reason, "comment": self.comment}
        if self.review_required or self.review_note:  # the yearly review's note is part of the answer's history
            values["review_note"] = self.review_note
        return values

    @property
    def awaits_review(self) -> bool:
        return self.review_required and self.reviewed_at is None


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
audit_display.describe(
    AssessmentEvent,
    sentences={
        AssessmentEvent.CREATED: _("%(actor)s started the assessment %(target)s."),
        AssessmentEvent.ANSWER_CHANGED: _("%(actor)s changed an answer (%(target)s)."),
        AssessmentEvent.ANSWER_REVIEWED: _("%(actor)s reviewed a rating carried over from last year (%(target)s)."),
        AssessmentEvent.SUBMITTED: _("%(actor)s submitted the assessment %(target)s."),
        AssessmentEvent.REVISED: _("%(actor)s started a revision of %(target)s."),
        AssessmentEvent.MARKED_READY: _("%(actor)s marked the assessment %(target)s ready for approval."),
        AssessmentEvent.APPROVED: _("%(actor)s approved the assessment %(target)s."),
        AssessmentEvent.RETURNED: _("%(actor)s returned the assessment %(target)s for rework."),
        AssessmentEvent.REOPENED: _("A change by %(actor)s sent the approved assessment %(target)s back to in progress."),
        AssessmentEvent.APPROVAL_POLICY_SET: _("%(actor)s switched the approval step on or off (%(target)s)."),
    },
    labels={
        "carried_forward_from": _("Started from the assessment (id)"),
        "answers_copied": _("Answers carried forward"),
        "revised_from": _("Revision of the assessment (id)"),
        "review_note": _("Review note"),
        "awaiting_review": _("Ratings to review"),
        "approval": _("Approval"),
        "approval_comment": _("Comment"),
        "approval_required": _("Approval before submission"),
    },
    values={"status": Assessment.Status, "approval": Approval},
)
