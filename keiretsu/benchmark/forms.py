from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keiretsu.assessments.forms import EditionChoiceField, fiscal_year_choices
from keiretsu.lib.fiscal_year import fiscal_year_of

from .services import benchmark_editions


class EditionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, edition):
        return f"{edition.guideline.display_title} — {edition.display_title}"


class DateInput(forms.DateInput):
    input_type = "date"


class RoundForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, choices=())
    editions = EditionsField(
        label=_("Guideline editions collected"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only editions assessed for the whole company can be compared across companies."),
    )
    deadline = forms.DateField(
        label=_("Deadline"), widget=DateInput, help_text=_("The last day on which companies can submit.")
    )
    note = forms.CharField(
        label=_("Note to companies"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = fiscal_year_choices()
        year = fiscal_year_of(timezone.localdate())
        self.fields["fiscal_year"].initial = year
        self.fields["editions"].queryset = benchmark_editions()
        # The programme's usual deadline: 31 December of the fiscal year.
        self.fields["deadline"].initial = f"{year}-12-31"


class RoundUpdateForm(forms.Form):
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    note = forms.CharField(
        label=_("Note to companies"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecomputeForm(forms.Form):
    edition = EditionChoiceField(queryset=None)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = round.editions.all()


class SubmitForm(forms.Form):
    assessment = forms.TypedChoiceField(label=_("Assessment to send"), coerce=int, choices=())
    consent = forms.BooleanField(label=_("I agree to send this assessment on these terms."), required=False)

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [
            (
                a.pk,
                _("%(edition)s · revision %(revision)s · submitted %(date)s")
                % {
                    "edition": f"{a.edition.guideline.display_title} {a.edition.display_title}",
                    "revision": a.revision,
                    "date": timezone.localtime(a.submitted_at).strftime("%Y-%m-%d"),
                },
            )
            for a in assessments
        ]


class VerifyForm(forms.Form):
    """An industry body verifies an organisation for its corporate number."""

    note = forms.CharField(
        label=_("How you checked it"),
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. member company; called the number in our register")}),
    )
