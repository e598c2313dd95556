from django import forms
from django.utils.translation import gettext_lazy as _


class TargetForm(forms.Form):
    """Trims and types the fields; the rules (a level of the edition, an owner) are the service's."""

    level = forms.CharField(label=_("Target level"), max_length=32)
    target_date = forms.DateField(label=_("Target date"), widget=forms.DateInput(attrs={"type": "date"}))
