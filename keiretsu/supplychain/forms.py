from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts.forms import OrganisationForm
from keiretsu.assessments.forms import fiscal_year_choices
from keiretsu.catalogue.selectors import editions
from keiretsu.lib import corporate_number
from keiretsu.lib.fiscal_year import fiscal_year_of
from keiretsu.lib.uploads import UploadField

from . import supplier_csv
from .models import AssessmentRequest, Criticality, Share, Supplier, SupplierStatus


class DateInput(forms.DateInput):
    input_type = "date"


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    corporate_number = forms.CharField(
        label=_("Corporate number"),
        max_length=20,
        help_text=_("The 13-digit corporate number (法人番号) of the National Tax Agency."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"), help_text=_("The person who will answer for the supplier.")
    )
    criticality = forms.TypedChoiceField(
        label=_("Criticality"),
        choices=Criticality.choices,
        coerce=int,
        initial=Criticality.MEDIUM,
        help_text=_("How much your business depends on this supplier: the most critical come first in every list."),
    )
    language = forms.ChoiceField(label=_("Contact's language"), choices=settings.LANGUAGES, initial="ja")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, locked_number=False, **kwargs):
        super().__init__(*args, **kwargs)
        if locked_number:
            self.fields["corporate_number"].disabled = True
            self.fields["corporate_number"].help_text = _("Fixed once the supplier is linked or has requests.")

    def clean_corporate_number(self):
        number = corporate_number.normalise(self.cleaned_data["corporate_number"])
        if len(number) != 13 or not number.isdigit():
            raise forms.ValidationError(_("A corporate number has 13 digits."))
        if not corporate_number.is_valid(number):
            raise forms.ValidationError(_("The check digit is wrong: please check the number."))
        return number


class ClaimChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (registered on %(date)s, not verified)") % {
            "name": obj.name,
            "date": timezone.localtime(obj.created_at).strftime("%Y-%m-%d"),
        }


class LinkClaimForm(forms.Form):
    """Link an unverified registration of the supplier's corporate number, knowingly."""

    organisation = ClaimChoiceField(label=_("Registration"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    acknowledged = forms.BooleanField(
        label=_("I know this registration is not verified, and I checked with the supplier that it is theirs."),
        required=False,
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        from keiretsu.accounts.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[c.pk for c in claims])
        if len(claims) == 1:
            self.fields["organisation"].initial = claims[0].pk


class ImportForm(forms.Form):
    file = UploadField(
        label=_("CSV file"),
        max_bytes=supplier_csv.MAX_BYTES,
        help_text=_("UTF-8 (with or without BOM) or Shift_JIS, as Excel saves it. Up to 5,000 suppliers, 2 MB."),
    )


class SupplierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, supplier):
        return f"{supplier.name} ({supplier.get_criticality_display()})"


class RequestForm(forms.Form):
    all_suppliers = forms.BooleanField(
        label=_("All my suppliers"),
        required=False,
        help_text=_("Suppliers already asked for the same edition and year are left out."),
    )
    suppliers = SupplierChoiceField(
        label=_("Suppliers"), queryset=Supplier.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    editions = forms.ModelMultipleChoiceField(
        label=_("Guideline editions"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, choices=())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    pass_on = forms.BooleanField(
        label=_("Ask them to pass the request on to their own suppliers"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].queryset = Supplier.objects.filter(customer=customer).order_by("criticality", "name")
        self.fields["editions"].queryset = editions([customer])  # the customer organisation's id
        self.fields["editions"].label_from_instance = lambda e: f"{e.guideline.display_title} — {e.display_title}"
        self.fields["fiscal_year"].choices = fiscal_year_choices()
        self.fields["fiscal_year"].initial = fiscal_year_of(timezone.localdate())

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_suppliers") and not cleaned.get("suppliers"):
            self.add_error("suppliers", _("Choose suppliers, or tick “All my suppliers”."))
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your customer will read it."),
    )


class AssessmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, assessment):
        return _("%(scope)s · revision %(n)s, submitted %(date)s") % {
            "scope": assessment.scope.display_name,
            "n": assessment.revision,
            "date": timezone.localtime(assessment.submitted_at).strftime("%Y-%m-%d"),
        }


class RecipientChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, organisation):
        return organisation.name


class ShareForm(forms.Form):
    assessment = AssessmentChoiceField(label=_("Submitted assessment"), queryset=None, empty_label=None)
    detail = forms.ChoiceField(
        label=_("What to share"), choices=Share.Detail.choices, widget=forms.RadioSelect, initial=Share.Detail.SUMMARY
    )
    recipients = RecipientChoiceField(label=_("Share with"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, assessments, recipients, **kwargs):
        from keiretsu.accounts.models import Organisation
        from keiretsu.assessments.models import Assessment

        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(
            pk__in=[a.pk for a in assessments]
        ).select_related("scope__parent", "scope__organisation")
        self.fields["recipients"].queryset = Organisation.objects.filter(pk__in=[r.pk for r in recipients])
        if recipients:
            self.fields["recipients"].initial = [recipients[0].pk]


class RequestChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, request):
        return _("%(customer)s · %(edition)s · FY%(year)s · due %(due)s") % {
            "customer": request.requester.name,
            "edition": request.edition,
            "year": request.fiscal_year,
            "due": request.due_date.isoformat(),
        }


class PassOnForm(forms.Form):
    requests = RequestChoiceField(label=_("Requests to pass on"), queryset=None, widget=forms.CheckboxSelectMultiple)
    all_suppliers = forms.BooleanField(label=_("All my suppliers"), required=False, initial=True)
    suppliers = SupplierChoiceField(
        label=_("Or only these suppliers"),
        queryset=Supplier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(
        label=_("Due date for your suppliers"),
        widget=DateInput,
        help_text=_("No later than your customer's due date, so that you can answer in time."),
    )
    message = forms.CharField(
        label=_("Message"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    pass_on = forms.BooleanField(
        label=_("Ask them to pass it on to their own suppliers too"), required=False, initial=True
    )

    def __init__(self, *args, customer, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = AssessmentRequest.objects.filter(
            pk__in=[r.pk for r in eligible]
        ).select_related("requester", "edition__guideline")
        self.fields["suppliers"].queryset = Supplier.objects.filter(customer=customer).order_by("criticality", "name")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_suppliers") and not cleaned.get("suppliers"):
            self.add_error("suppliers", _("Choose suppliers, or tick “All my suppliers”."))
        return cleaned


class RegisterSupplierForm(OrganisationForm):
    """Registering the invited company: its corporate number is the invitation's."""

    class Meta(OrganisationForm.Meta):
        fields = ["name", "size_band", "business_type", "tier"]


class SupplierFilterForm(forms.Form):
    SORTS = [
        ("criticality", _("Criticality")),
        ("status", _("Status")),
        ("due", _("Due date")),
        ("activity", _("Last activity")),
        ("name", _("Name")),
    ]
    status = forms.TypedChoiceField(
        label=_("Status"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any"))] + list(SupplierStatus.choices),
    )
    criticality = forms.TypedChoiceField(
        label=_("Criticality"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any"))] + list(Criticality.choices),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status"),
            "criticality": data.get("criticality"),
            "search": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "criticality",
        }
