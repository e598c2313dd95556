"""Uploaded files waiting for a person's confirmation.

A filled checksheet or an official checksheet is validated whole when it is uploaded; what it
would change is kept here (never the file itself) until the person confirms or discards it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition

# A preview older than this must be uploaded again: the answers may have moved on meanwhile.
PREVIEW_VALID_FOR = datetime.timedelta(hours=24)


class InterchangeEvent(models.TextChoices):
    CHECKSHEET_IMPORTED = "interchange.checksheet_imported", _("Checksheet imported")
    CHECKSHEET_DISCARDED = "interchange.checksheet_discarded", _("Checksheet import discarded")


audit.register_events(InterchangeEvent)


class PendingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class ChecksheetImport(models.Model):
    """A validated filled checksheet for one assessment, and the changes it would make."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="checksheet_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    # services.ImportPlan.as_dict(): the changes, the counts, the warnings, and a fingerprint
    # of the answers as they were, so that nothing is overwritten that changed since.
    plan = models.JSONField()
    status = models.CharField(max_length=16, choices=PendingStatus.choices, default=PendingStatus.PENDING)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The pending preview of an assessment (a new upload replaces it).
            models.Index(fields=["assessment", "status"], name="checksheet_import_pending"),
        ]

    def __str__(self):
        return f"{self.file_name} → {self.assessment_id} ({self.status})"

    @property
    def is_expired(self):
        return self.created_at < timezone.now() - PREVIEW_VALID_FOR


class EditionImport(models.Model):
    """An official checksheet read as a catalogue edition, waiting for confirmation: by the
    administrator (for every organisation), or by an organisation's owner (for that organisation)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The organisation that imports the checksheet it received, for itself; None: the administrator.
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    guideline_slug = models.SlugField(max_length=64)
    edition_code = models.CharField(max_length=64)
    # official.spec_to_dict(): the EditionSpec that edition_load will create.
    spec = models.JSONField()
    # official.EditionPreview.as_dict(): counts per level and per label, warnings.
    preview = models.JSONField()
    status = models.CharField(max_length=16, choices=PendingStatus.choices, default=PendingStatus.PENDING)
    edition = models.ForeignKey(Edition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.file_name} → {self.guideline_slug} {self.edition_code} ({self.status})"

    @property
    def is_expired(self):
        return self.created_at < timezone.now() - PREVIEW_VALID_FOR


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
audit_display.describe(
    InterchangeEvent,
    sentences={
        InterchangeEvent.CHECKSHEET_IMPORTED: _("%(actor)s imported a checksheet into %(target)s."),
        InterchangeEvent.CHECKSHEET_DISCARDED: _("%(actor)s discarded a checksheet import for %(target)s."),
    },
    labels={
        "answers_changed": _("Answers changed"),
        "counts": _("In detail"),
        "items": _("Items"),
        "new": _("Answered for the first time"),
        "changed": _("Rating changed"),
        "cleared": _("Rating removed"),
        "text_only": _("Reason or comment only"),
        "unchanged": _("Unchanged"),
    },
    values={"status": PendingStatus},
)
