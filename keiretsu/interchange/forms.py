from django import forms
from django.utils.translation import gettext_lazy as _

from keiretsu.lib.uploads import UploadField

from .official import PRESETS
from .workbooks import max_upload_bytes

XLSX = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ChecksheetUploadForm(forms.Form):
    file = UploadField(
        label=_("Filled checksheet (.xlsx)"), max_bytes=max_upload_bytes, widget=forms.ClearableFileInput(attrs={"accept": XLSX})
    )


class EditionUploadForm(forms.Form):
    file = UploadField(
        label=_("Official checksheet (.xlsx)"), max_bytes=max_upload_bytes, widget=forms.ClearableFileInput(attrs={"accept": XLSX})
    )
    guideline = forms.ChoiceField(label=_("Guideline"), choices=[(slug, slug) for slug in PRESETS], initial="jama-enterprise")
    edition = forms.CharField(label=_("Edition id"), max_length=64, initial="2.3", help_text=_("As the checksheet names it, for example 2.3."))
    title = forms.CharField(label=_("Edition title"), max_length=300, required=False, help_text=_("Optional; by default “エンタープライズ版 2.3版”."))
    published = forms.DateField(label=_("Published on"), required=False, help_text=_("Optional, YYYY-MM-DD."))
