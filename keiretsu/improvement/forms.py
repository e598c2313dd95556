from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keiretsu.lib.uploads import UploadField


class TargetForm(forms.Form):
    """Trims and types the fields; the rules (a level of the edition, an owner) are the service's."""

    level = forms.CharField(label=_("Target level"), max_length=32)
    target_date = forms.DateField(label=_("Target date"), widget=forms.DateInput(attrs={"type": "date"}))


class ActionForm(forms.Form):
    """Types the fields; every rule (dates in order, the owner a member, items of the edition)
    is the service's, so the page and the API refuse the same things with the same words."""

    title = forms.CharField(label=pgettext_lazy("plan", "Title"), max_length=1000)
    description = forms.CharField(label=pgettext_lazy("plan", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(
        label=pgettext_lazy("plan", "Items"),
        help_text=_("Item numbers, separated by commas (one action may cover several items)."),
        max_length=2000,
    )
    owner = forms.IntegerField(label=pgettext_lazy("plan", "Owner"), required=False)
    start_date = forms.DateField(label=pgettext_lazy("plan", "Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=pgettext_lazy("plan", "Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.CharField(label=pgettext_lazy("plan", "Status"), max_length=16)
    progress_note = forms.CharField(label=pgettext_lazy("plan", "Progress"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_items(self):
        raw = self.cleaned_data["items"].replace("、", ",").replace("，", ",")
        return [part.strip().removeprefix("No.").removeprefix("No").strip() for part in raw.split(",") if part.strip()]


def evidence_max_bytes() -> int:
    return settings.EVIDENCE_MAX_FILE_BYTES


class EvidenceForm(forms.Form):
    """The file, refused past its size limit while it arrives (lib.uploads); what it is, and
    everything else, is the service's."""

    file = UploadField(label=_("File"), max_bytes=evidence_max_bytes)
