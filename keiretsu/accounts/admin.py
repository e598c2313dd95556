"""The instance administrator's view (Django admin). Company data is changed through the
application, where every change is audited; here most things are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Membership, Organisation, Scope, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_staff", "is_active"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ["user", "role", "created_at"]
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "corporate_number", "tier", "size_band", "business_type", "is_industry_body", "created_at"]
    list_filter = ["tier", "size_band", "business_type", "is_industry_body"]
    search_fields = ["name", "corporate_number"]
    readonly_fields = ["name", "corporate_number", "size_band", "business_type", "tier", "is_industry_body", "created_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False  # organisations register themselves (and get their owner and company scope)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "actor", "event", "target_label"]
    list_filter = ["event"]
    search_fields = ["target_label", "actor__email", "organisation__name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
