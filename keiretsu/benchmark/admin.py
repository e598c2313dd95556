"""The instance administrator's way to make an organisation an industry body, and to verify an
organisation for its corporate number (Django admin).

Organisations are listed read-only under "industry body status"; the actions go through
services.industry_body_set and supplychain.services.organisation_verify, so each change is
audited like any other. Verifying asks for a note on an intermediate page.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import IndustryBody


@admin.register(IndustryBody)
class IndustryBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "corporate_number", "verified_at", "is_industry_body", "tier", "business_type")
    list_filter = ("is_industry_body", ("verified_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "corporate_number")
    ordering = ("-is_industry_body", "name")
    fields = (
        "name",
        "corporate_number",
        "verified_at",
        "verified_via",
        "verification_note",
        "size_band",
        "business_type",
        "tier",
        "is_industry_body",
    )
    readonly_fields = fields
    actions = ("mark_industry_body", "unmark_industry_body", "verify_identity")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark as industry body"), permissions=("change",))
    def mark_industry_body(self, request, queryset):
        self._set(request, queryset, True)

    @admin.action(description=_("Remove industry body status"), permissions=("change",))
    def unmark_industry_body(self, request, queryset):
        self._set(request, queryset, False)

    def _set(self, request, queryset, is_body):
        changed = sum(
            services.industry_body_set(actor=request.user, organisation=organisation, is_body=is_body)
            for organisation in queryset
        )
        self.message_user(
            request,
            ngettext("%(n)d organisation changed.", "%(n)d organisations changed.", changed) % {"n": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Verify for its corporate number…"), permissions=("change",))
    def verify_identity(self, request, queryset):
        """Asks for a note first; then verifies each one (the first of a number wins)."""
        from keiretsu.lib.refusals import Refusal
        from keiretsu.supplychain import services as supplychain_services

        form = VerifyNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            verified = 0
            for organisation in queryset:
                try:
                    supplychain_services.organisation_verify(
                        actor=request.user,
                        organisation=organisation,
                        via=organisation.Verification.ADMINISTRATOR,
                        note=form.cleaned_data["note"],
                    )
                except Refusal as exc:
                    self.message_user(request, f"{organisation.name}: {exc.message}", messages.ERROR)
                else:
                    verified += 1
            self.message_user(
                request,
                ngettext("%(n)d organisation verified.", "%(n)d organisations verified.", verified) % {"n": verified},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verify for its corporate number"),
            "organisations": queryset,
            "form": form,
            "action": "verify_identity",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "benchmark/admin/verify_identity.html", context)


class VerifyNoteForm(forms.Form):
    note = forms.CharField(label=_("How you checked it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
