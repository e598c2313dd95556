"""The improvement cycle: a target level per organisation and edition, and the plan to reach it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation
from keiretsu.catalogue.models import Edition


class ImprovementEvent(models.TextChoices):
    TARGET_SET = "improvement.target_set", _("Target level set")


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


audit_display.describe(
    ImprovementEvent,
    sentences={
        ImprovementEvent.TARGET_SET: _("%(actor)s set the target level for %(target)s."),
    },
    labels={"level": _("Target level"), "target_date": _("Target date")},
)
