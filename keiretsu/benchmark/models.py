"""The industry benchmark: rounds of submissions to an industry body, and its releases.

An industry body (an Organisation with is_industry_body, set by the instance administrator)
opens a round for a fiscal year; companies submit frozen assessments to it with explicit
consent; the body computes k-anonymous statistics as a draft release, reviews and publishes
it. A published release never changes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition
from keiretsu.lib.fiscal_year import fiscal_year_label, separator


class BenchmarkEvent(models.TextChoices):
    BODY_MARKED = "benchmark.body_marked", _("Marked as an industry body")
    BODY_UNMARKED = "benchmark.body_unmarked", _("No longer an industry body")
    ROUND_OPENED = "benchmark.round_opened", _("Benchmark round opened")
    ROUND_UPDATED = "benchmark.round_updated", _("Benchmark round changed")
    SUBMITTED = "benchmark.submitted", _("Assessment submitted to an industry body")
    WITHDRAWN = "benchmark.withdrawn", _("Submission to an industry body withdrawn")
    SUBMISSION_RECEIVED = "benchmark.submission_received", _("Submission received")
    SUBMISSION_CANCELLED = "benchmark.submission_cancelled", _("Submission withdrawn by the company")
    RELEASE_COMPUTED = "benchmark.release_computed", _("Benchmark statistics computed (draft)")
    RELEASE_PUBLISHED = "benchmark.release_published", _("Benchmark release published")
    RELEASE_DISCARDED = "benchmark.release_discarded", _("Benchmark draft discarded")


audit.register_events(BenchmarkEvent)


class IndustryBody(Organisation):
    """Organisations as the instance administrator sees them to grant industry-body status.

    A proxy (no table of its own): the Django admin lists organisations under it with actions
    that go through services.industry_body_set, so every change is audited.
    """

    class Meta:
        proxy = True
        verbose_name = _("industry body status")
        verbose_name_plural = _("industry body status")


class RoundQuerySet(models.QuerySet):
    def open(self):
        """Rounds that accept submissions: the same rule as Round.is_open, in SQL."""
        return self.filter(body__is_industry_body=True, deadline__gte=timezone.localdate())


class Round(models.Model):
    """An industry body's call for the self-assessments of one fiscal year."""

    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="benchmark_rounds")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    editions = models.ManyToManyField(Edition, related_name="+", verbose_name=_("guideline editions"))
    # The last day on which submissions are accepted (inclusive, in the instance's time zone).
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note to companies"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "body__name"]
        constraints = [models.UniqueConstraint(fields=["body", "fiscal_year"], name="round_one_per_year")]

    def __str__(self):
        return f"{fiscal_year_label(self.fiscal_year)}{separator()}{self.body.name}"

    @property
    def deadline_passed(self) -> bool:
        return timezone.localdate() > self.deadline

    @property
    def is_open(self) -> bool:
        """A round accepts submissions while its body is an industry body, up to its deadline
        (inclusive, in the instance's time zone): docs/rules.md, "Fiscal year and rounds"."""
        return self.body.is_industry_body and not self.deadline_passed


class Submission(models.Model):
    """A company's frozen assessment, sent to an industry body for one round, with consent.

    The segment (tier, size band, business type) is copied at submission, like the scores:
    later changes to the organisation never move a company between groups of a release.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="submissions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="benchmark_submissions")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="benchmark_submissions")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    tier = models.PositiveSmallIntegerField(choices=Organisation.Tier.choices)
    size_band = models.CharField(max_length=16, choices=Organisation.SizeBand.choices)
    business_type = models.CharField(max_length=32, choices=Organisation.BusinessType.choices)
    # 0: not even the first level; n: the edition's n-th level (scoring.ScoreSummary.level_attained).
    attained_rank = models.PositiveSmallIntegerField(default=0)
    # The consent exactly as it was shown and agreed to.
    consent_text = models.TextField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # One counted submission per company, round and edition: companies, not files, are counted.
            models.UniqueConstraint(
                fields=["round", "organisation", "edition"],
                condition=models.Q(status="active"),
                name="submission_one_active",
            ),
        ]
        indexes = [
            # A release's computation: the active submissions of one round and edition.
            models.Index(fields=["round", "edition", "status"], name="submission_round_edition"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.round} ({self.edition.code})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class SubmissionScore(models.Model):
    """One rate of a submission (overall, a level, a section, the priority items), as counts.

    Written at submission from the assessment's frozen score snapshot; a release aggregates
    these rows in the database (GROUP BY achieved, applicable), never the answers one by one.
    """

    class Kind(models.TextChoices):
        OVERALL = "overall", _("Overall")
        LEVEL = "level", _("Level")
        SECTION = "section", _("Section")
        PRIORITY = "priority", _("Priority items")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(max_length=64, blank=True)
    achieved = models.PositiveIntegerField()
    applicable = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "kind", "code"], name="submission_score_unique")]


class Release(models.Model):
    """The statistics of one round for one edition: a draft to review, then published, frozen.

    `statistics` holds only what may be shown (suppressed cells carry no figure), so every
    page, CSV and API response of a release is rendered from it and cannot leak more.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", pgettext_lazy("release status", "Published")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="releases")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    min_group_size = models.PositiveSmallIntegerField()
    statistics = models.JSONField()
    # The number of companies counted, when it may be shown (at least k); for lists of releases.
    companies = models.PositiveIntegerField(null=True, blank=True)
    submissions = models.ManyToManyField(Submission, through="ReleaseSubmission", related_name="releases")
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-round__fiscal_year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["round", "edition", "version"], name="release_unique_version"),
            models.UniqueConstraint(
                fields=["round", "edition"], condition=models.Q(status="draft"), name="release_one_draft"
            ),
        ]
        indexes = [
            # Companies' views: the published releases of an edition, newest year first.
            models.Index(fields=["edition", "status"], name="release_edition_status"),
        ]

    def __str__(self):
        version = _("version %(v)s") % {"v": self.version}
        return f"{self.round}{separator()}{self.edition.code}{separator()}{version}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def label(self):
        return str(self.round)

    def save(self, *args, **kwargs):
        # A published release is immutable: the services never change one, and neither may anyone else.
        if self.pk and Release.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ReleaseImmutable(f"release {self.pk} is published and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Release.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ReleaseImmutable(f"release {self.pk} is published and cannot be deleted")
        return super().delete(*args, **kwargs)


class ReleaseImmutable(Exception):
    pass


class ReleaseSubmission(models.Model):
    """Which submissions a release counted; kept for ever with a published release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "submission"], name="release_submission_unique")]


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
audit_display.describe(
    BenchmarkEvent,
    sentences={
        BenchmarkEvent.BODY_MARKED: _("%(actor)s marked %(target)s as an industry body."),
        BenchmarkEvent.BODY_UNMARKED: _("%(actor)s removed %(target)s from the industry bodies."),
        BenchmarkEvent.ROUND_OPENED: _("%(actor)s opened the benchmark round %(target)s."),
        BenchmarkEvent.ROUND_UPDATED: _("%(actor)s changed the benchmark round %(target)s."),
        BenchmarkEvent.SUBMITTED: _("%(actor)s submitted an assessment to an industry body (%(target)s)."),
        BenchmarkEvent.WITHDRAWN: _("%(actor)s withdrew a submission to an industry body (%(target)s)."),
        BenchmarkEvent.SUBMISSION_RECEIVED: _("A submission was received (%(target)s)."),
        BenchmarkEvent.SUBMISSION_CANCELLED: _("A company withdrew its submission (%(target)s)."),
        BenchmarkEvent.RELEASE_COMPUTED: _("%(actor)s computed the benchmark statistics (draft, %(target)s)."),
        BenchmarkEvent.RELEASE_PUBLISHED: _("%(actor)s published the benchmark release %(target)s."),
        BenchmarkEvent.RELEASE_DISCARDED: _("%(actor)s discarded a benchmark draft (%(target)s)."),
    },
    labels={
        "is_industry_body": _("Industry body"),
        "consent": _("Consent"),
        "segment": _("Segment"),
        "replaces": _("Replaces the submission (id)"),
        "submissions": _("Submissions"),
        "k": _("Smallest group published"),
    },
    values={"status": {**dict(Submission.Status.choices), **dict(Release.Status.choices)}},
)
