"""Guideline editions as data. An edition and everything under it is immutable once loaded."""

from functools import cached_property

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts import audit, audit_display
from keiretsu.programme.scoring import Scale


def _localised(obj, field):
    # Catalogue text is Japanese; an English title is shown where the file provides one.
    if get_language() == "en":
        return getattr(obj, f"{field}_en") or getattr(obj, field)
    return getattr(obj, field)


class CatalogueEvent(models.TextChoices):
    EDITION_LOADED = "catalogue.loaded", _("Catalogue edition loaded")
    EDITION_IMPORTED = "catalogue.imported_for_organisation", _("Official checksheet imported for the organisation")
    EDITION_INSTANCE_WIDE = "catalogue.made_instance_wide", _("Edition made available to every organisation")


audit.register_events(CatalogueEvent)


class Guideline(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return _localised(self, "title")


class Edition(models.Model):
    class AssessedPer(models.TextChoices):
        COMPANY = "company", _("the whole company")
        SITE = "site", _("each factory or production line")

    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="editions")
    code = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    assessed_per = models.CharField(max_length=16, choices=AssessedPer.choices)
    source = models.TextField(blank=True)
    # The rating scale, levels and declared item attributes exactly as the file gives them;
    # `rating_scale` turns the scale into the scoring module's Scale.
    scale = models.JSONField()
    levels = models.JSONField(default=list)
    attributes = models.JSONField(default=list)
    content_hash = models.CharField(max_length=64)
    file_name = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    # Shipped and administrator-loaded editions are for every organisation. An official
    # checksheet an organisation imported for itself (its text is not public) is seen only by
    # the organisations in `EditionAccess`, until the administrator makes it instance-wide.
    is_instance_wide = models.BooleanField(default=True)

    class Meta:
        ordering = ["guideline__slug", "code"]
        constraints = [models.UniqueConstraint(fields=["guideline", "code"], name="edition_unique_code")]

    def __str__(self):
        return f"{self.guideline.display_title} {self.display_title}"

    @property
    def display_title(self):
        return _localised(self, "title")

    @cached_property
    def rating_scale(self) -> Scale:
        return Scale.from_declaration(self.scale)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level["code"] for level in self.levels)

    def level_title(self, code):
        for level in self.levels:
            if level["code"] == code:
                return (get_language() == "en" and level.get("title_en")) or level.get("title") or code
        return code


class Section(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="section_unique_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def display_title(self):
        return _localised(self, "title")


class Item(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    level = models.CharField(max_length=32, blank=True)
    title = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    requirement = models.TextField(blank=True)
    condition = models.TextField(blank=True)
    criteria = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    is_priority = models.BooleanField(default=False)
    attributes = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="item_unique_number")]

    def __str__(self):
        return f"No.{self.number}"

    @property
    def headline(self) -> str:
        """The words that name the item: its title, else what is to be achieved (the condition,
        else the criteria: METI's requirement is shared by several criteria), else the requirement."""
        return (self.title or self.condition or self.criteria or self.requirement).strip()

    @property
    def short_text(self) -> str:
        """The headline's first line, at most 120 characters: the item's text in lists and tables."""
        return self.headline.splitlines()[0][:120] if self.headline else ""

    @property
    def headline_words(self) -> str:
        """The whole headline on one line (bullets dropped): the item's text in the printed report."""
        return " ".join(line.strip().lstrip("・") for line in self.headline.splitlines() if line.strip())


class CrossReference(models.Model):
    """An item's citation of an item of another guideline, by guideline id and item number.

    The cited guideline need not be loaded (the enterprise edition is imported per instance),
    so the target is kept as text and resolved when shown.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="cross_references")
    guideline_slug = models.SlugField(max_length=64)
    number = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "guideline_slug", "number"], name="crossref_unique"),
        ]
        indexes = [
            # Related items: every item citing the same target (guideline, number).
            models.Index(fields=["guideline_slug", "number"], name="crossref_target"),
        ]


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
class EditionAccess(models.Model):
    """An organisation that may use an edition that is not instance-wide: it imported the
    official checksheet itself, or a supplier shared results against it with it."""

    class Via(models.TextChoices):
        IMPORTED = "imported", _("imported by the organisation")
        SHARED = "shared", _("results shared with the organisation")
        REQUESTED = "requested", _("asked for by a customer")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="access")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=16, choices=Via.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "organisation"], name="edition_access_unique")]

    def __str__(self):
        return f"{self.edition} → {self.organisation} ({self.via})"


audit_display.describe(
    CatalogueEvent,
    sentences={
        CatalogueEvent.EDITION_LOADED: _("%(actor)s loaded the guideline edition %(target)s."),
        CatalogueEvent.EDITION_IMPORTED: _("%(actor)s imported the official checksheet %(target)s for the organisation."),
        CatalogueEvent.EDITION_INSTANCE_WIDE: _("%(actor)s made the edition %(target)s available to every organisation."),
    },
    labels={"items": _("Items"), "content_hash": _("Content fingerprint")},
)
