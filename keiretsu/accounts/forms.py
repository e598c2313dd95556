from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from keiretsu.lib import corporate_number

from .models import Organisation, Role, Scope, User
from .selectors import SECURITY_FILTER


class SignUpDetailsForm(forms.Form):
    """What allauth's sign-up form asks besides the address and password: the person's name."""

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    field_order = ["email", "name", "password1"]

    def signup(self, request, user):
        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])


class RequireMfaForm(forms.Form):
    require_mfa = forms.BooleanField(
        label=_("Require two-factor authentication of every member"),
        required=False,
        help_text=_(
            "Members without an authenticator app or a security key are sent to set one up before they "
            "can open any page of this organisation or use its API."
        ),
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "corporate_number", "size_band", "business_type", "tier"]
        help_texts = {
            "corporate_number": _("The 13-digit corporate number (法人番号) of the National Tax Agency."),
        }
        widgets = {"corporate_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.fields.get("corporate_number")
        if number is not None:
            # Not the model field's 13: people type the number with hyphens or spaces
            # ("1-2345-6789-0123"); clean_corporate_number keeps the 13 digits.
            number.max_length = 20
            number.validators = [v for v in number.validators if not isinstance(v, MaxLengthValidator)]
            number.widget.attrs["maxlength"] = "20"

    def clean_corporate_number(self):
        number = corporate_number.normalise(self.cleaned_data["corporate_number"])
        if len(number) != 13 or not number.isdigit():
            raise forms.ValidationError(_("A corporate number has 13 digits."))
        if not corporate_number.is_valid(number):
            raise forms.ValidationError(_("This corporate number's check digit is wrong: please check the number."))
        return number


class ScopeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Add"),
        choices=[(Scope.Kind.FACTORY, _("a factory")), (Scope.Kind.LINE, _("a production line"))],
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Factory"), queryset=Scope.objects.none(), required=False, empty_label=_("(not for a factory)")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Scope.objects.filter(organisation=organisation, kind=Scope.Kind.FACTORY)
        self.fields["parent"].help_text = _("For a production line: the factory it belongs to.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Scope.Kind.LINE and not cleaned.get("parent"):
            self.add_error("parent", _("Choose the factory this line belongs to."))
        return cleaned


class RenameScopeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ASSESSOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The audit log's filters: who, what kind of event, from and to which day."""

    actor = forms.ModelChoiceField(label=_("Done by"), queryset=User.objects.none(), required=False, empty_label=_("everyone"))
    event = forms.ChoiceField(label=_("Event"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, membership, **kwargs):
        from . import audit, selectors

        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = selectors.audit_actors(membership)
        self.fields["actor"].label_from_instance = lambda user: user.name or user.email
        labels = sorted(((code, str(audit.event_label(code))) for code in audit.registered_events()), key=lambda c: c[1])
        self.fields["event"].choices = [
            ("", _("all events")),
            (SECURITY_FILTER, _("sign-ins and account security (all of them)")),
            *labels,
        ]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: self.cleaned_data[key] for key in ("actor", "event", "date_from", "date_to")}
