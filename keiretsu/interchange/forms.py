from django import forms
from django.utils.translation import gettext_lazy as _

from .official import PRESETS


class ChecksheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled checksheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


class EditionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Official checksheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
    guideline = forms.ChoiceField(label=_("Guideline"), choices=[(slug, slug) for slug in PRESETS], initial="jama-enterprise")
    edition = forms.CharField(label=_("Edition id"), max_length=64, initial="2.3", help_text=_("As the checksheet names it, for example 2.3."))
    title = forms.CharField(label=_("Edition title"), max_length=300, required=False, help_text=_("Optional; by default “エンタープライズ版 2.3 版”."))
    published = forms.DateField(label=_("Published on"), required=False, help_text=_("Optional, YYYY-MM-DD."))
