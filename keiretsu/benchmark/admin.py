"""The instance administrator's way to make an organisation an industry body (Django admin).

Organisations are listed read-only under "industry body status"; the two actions go through
services.industry_body_set, so each change is audited like any other.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import IndustryBody


@admin.register(IndustryBody)
class IndustryBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "corporate_number", "is_industry_body", "tier", "business_type")
    list_filter = ("is_industry_body",)
    search_fields = ("name", "corporate_number")
    ordering = ("-is_industry_body", "name")
    fields = ("name", "corporate_number", "size_band", "business_type", "tier", "is_industry_body")
    readonly_fields = fields
    actions = ("mark_industry_body", "unmark_industry_body")

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
