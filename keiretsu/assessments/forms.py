from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts.models import Scope
from keiretsu.catalogue.selectors import editions
from keiretsu.lib.fiscal_year import fiscal_year_of


class ScopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, scope):
        return scope.display_name


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, edition):
        return f"{edition.guideline.display_title} — {edition.display_title}"


def fiscal_year_choices():
    current = fiscal_year_of(timezone.localdate())
    return [(year, _("FY%(year)s (April %(year)s – March %(next)s)") % {"year": year, "next": year + 1})
            for year in range(current + 1, current - 4, -1)]


class AssessmentCreateForm(forms.Form):
    edition = EditionChoiceField(label=_("Guideline edition"), queryset=None, empty_label=_("Choose an edition"))
    scope = ScopeChoiceField(
        label=_("What is assessed"),
        queryset=None,
        empty_label=_("Choose the company, a factory or a line"),
        help_text=_("The whole company for company-wide editions; a factory or a production line for the factory edition."),
    )
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, choices=())
    carry_forward = forms.BooleanField(
        label=_("Start from last year's submitted answers"),
        required=False,
        initial=True,
        help_text=_("The annual review: check each answer again, especially those not yet done."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = editions([organisation.pk])
        self.fields["scope"].queryset = Scope.objects.filter(organisation=organisation).select_related(
            "parent", "organisation"
        ).order_by("kind", "name")
        self.fields["fiscal_year"].choices = fiscal_year_choices()
        self.fields["fiscal_year"].initial = fiscal_year_of(timezone.localdate())


class AnswerForm(forms.Form):
    """Trims the fields; every rule (lengths too) is the service's, so the page and the API agree."""

    rating = forms.CharField(required=False)
    reason = forms.CharField(required=False)
    comment = forms.CharField(required=False)
