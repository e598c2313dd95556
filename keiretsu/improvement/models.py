"""The improvement cycle: a target level per organisation and edition, and the plan to reach it."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation, Scope
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition, Item, Section


class ImprovementEvent(models.TextChoices):
    TARGET_SET = "improvement.target_set", _("Target level set")
    ACTION_CREATED = "improvement.action_created", _("Improvement action created")
    ACTION_CHANGED = "improvement.action_changed", _("Improvement action changed")
    ACTION_REMINDER_SENT = "improvement.action_reminder_sent", _("Action reminder sent")
    EVIDENCE_ADDED = "improvement.evidence_added", _("Evidence file added")
    EVIDENCE_DELETED = "improvement.evidence_deleted", _("Evidence file deleted")
    SECTION_ASSIGNED = "improvement.section_assigned", _("Section assigned to a member")


audit.register_events(ImprovementEvent)


class Target(models.Model):
    """The level an organisation aims at for one edition, and by when. Without a row, the
    programme's default applies (programme/targets.py) with the end of the fiscal year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="targets")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("target level"), max_length=32)
    target_date = models.DateField(_("target date"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "edition"], name="target_unique_edition")]

    def __str__(self):
        return f"{self.edition} → {self.level}"


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Action.OPEN)


class Action(models.Model):
    """An improvement action: what someone will do, by when, for one or several items of one
    edition, for one scope (the company, a factory, a line). It belongs to no fiscal year: an
    open action carries over into the next year until it is done or cancelled. Marking it done
    changes no rating; the person re-rates the item (docs/rules.md, "Improvement actions")."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        # A context: an assessment's "In progress" is 回答中, an action's 実施中 (one catalogue for all apps).
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)
    MAX_TITLE = 200
    MAX_TEXT = 4000

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="actions")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(Item, related_name="+")
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language reminders to the owner are written in: the one the owner last used on it.
    owner_language = models.CharField(max_length=8, default="ja")
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    progress_note = models.TextField(_("progress"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # when it was done or cancelled

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # The plan page and the to-do page: an organisation's actions by status and due date.
            models.Index(fields=["organisation", "status", "due_date"], name="action_org_status_due"),
            # The checklist: the actions of one scope and edition.
            models.Index(fields=["scope", "edition"], name="action_scope_edition"),
            # The reminder sweep: open actions by due date, every organisation.
            models.Index(fields=["status", "due_date"], name="action_status_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_date__gte=models.F("start_date")), name="action_due_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in self.OPEN

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today

    def as_audit(self) -> dict:
        return {
            "title": self.title,
            "description": self.description,
            "owner": str(self.owner) if self.owner else "",
            "start_date": self.start_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "status": self.status,
            "progress_note": self.progress_note,
        }


class ActionReminder(models.Model):
    """A reminder to an action's owner, claimed (this row) before it is sent: at most once each."""

    OVERDUE = "overdue"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32)  # "before:<days>" or "overdue"
    due_date = models.DateField()  # the due date it reminded of (a new due date may be reminded of again)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "kind", "due_date"], name="action_reminder_once"),
        ]


class SectionAssignment(models.Model):
    """Who answers a label (a top-level section) of an assessment in progress: the work shared
    among colleagues. Its items, unanswered or awaiting their yearly review, are that member's
    to-dos; the items of a section assigned to nobody are the owners' (selectors.todo)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "section"], name="assignment_one_per_section"),
        ]
        indexes = [
            # The to-do page and the menu's count: a member's sections.
            models.Index(fields=["assignee", "organisation"], name="assignment_assignee"),
        ]


class _EvidenceStorage(LazyObject):
    """STORAGES["evidence"], looked up when first used (and again after the setting changes,
    as Django's default_storage is), not when this module is imported."""

    def _setup(self):
        self._wrapped = storages["evidence"]


EVIDENCE_STORAGE = _EvidenceStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        EVIDENCE_STORAGE._wrapped = empty


def evidence_storage():
    """The private storage of evidence files (STORAGES["evidence"]; backed up: keiretsu/ops/backup)."""
    return EVIDENCE_STORAGE


def evidence_path(instance, filename):
    # A random name: the person's file name is kept for display only (Evidence.name).
    return f"{instance.organisation_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file that proves an answer (an item of an assessment) or an action's progress. Stored
    privately, served only through an access-checked view. Deleting it removes the content and
    keeps this record (who, when, what it was). Evidence of a submitted assessment is frozen."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="evidence")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(max_length=8)  # lib.filetypes code, decided from the content
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=evidence_storage, upload_to=evidence_path, max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            # On an answer (assessment and item) or on an action: exactly one of the two.
            models.CheckConstraint(
                condition=(
                    models.Q(assessment__isnull=False, item__isnull=False, action__isnull=True)
                    | models.Q(assessment__isnull=True, item__isnull=True, action__isnull=False)
                ),
                name="evidence_on_answer_or_action",
            ),
        ]
        indexes = [
            # The checklist: the evidence of one assessment's items.
            models.Index(fields=["assessment", "item"], name="evidence_assessment_item"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def as_audit(self) -> dict:
        return {"file": self.name, "size": self.size, "sha256": self.sha256, "kind": self.kind}


audit_display.describe(
    ImprovementEvent,
    sentences={
        ImprovementEvent.TARGET_SET: _("%(actor)s set the target level for %(target)s."),
        ImprovementEvent.ACTION_CREATED: _("%(actor)s created the improvement action %(target)s."),
        ImprovementEvent.ACTION_CHANGED: _("%(actor)s changed the improvement action %(target)s."),
        ImprovementEvent.ACTION_REMINDER_SENT: _("%(actor)s reminded the owner of the action %(target)s."),
        ImprovementEvent.EVIDENCE_ADDED: _("%(actor)s added an evidence file (%(target)s)."),
        ImprovementEvent.EVIDENCE_DELETED: _("%(actor)s deleted an evidence file (%(target)s)."),
        ImprovementEvent.SECTION_ASSIGNED: _("%(actor)s assigned a section of the assessment %(target)s."),
    },
    labels={
        "level": _("Target level"),
        "target_date": _("Target date"),
        "title": _("Title"),
        "description": _("Description"),
        "owner": _("Owner"),
        "start_date": _("Start date"),
        "progress_note": _("Progress"),
        "items": _("Items"),
        "size": _("Size (bytes)"),
        "on": _("Evidence for"),
        "section": _("Section"),
        "assignee": _("Assigned to"),
    },
    values={"status": Action.Status},
)
