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
    SUBMITTED = "assessment.submitted", _("Assessment submitted")
    REVISED = "assessment.revised", _("Revision started")


audit.register_events(AssessmentEvent)


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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="answer_unique_item")]

    def __str__(self):
        return f"{self.assessment_id}/{self.item_id}: {self.rating or '-'}"

    def as_audit(self):
        return {"rating": self.rating, "reason": self.reason, "comment": self.comment}


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
audit_display.describe(
    AssessmentEvent,
    sentences={
        AssessmentEvent.CREATED: _("%(actor)s started the assessment %(target)s."),
        AssessmentEvent.ANSWER_CHANGED: _("%(actor)s changed an answer (%(target)s)."),
        AssessmentEvent.SUBMITTED: _("%(actor)s submitted the assessment %(target)s."),
        AssessmentEvent.REVISED: _("%(actor)s started a revision of %(target)s."),
    },
    labels={
        "carried_forward_from": _("Started from the assessment (id)"),
        "answers_copied": _("Answers carried forward"),
        "revised_from": _("Revision of the assessment (id)"),
    },
    values={"status": Assessment.Status},
)
