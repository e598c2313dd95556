from django.contrib import admin

from .models import Edition


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions are loaded from files (`keiretsu catalogue load`) and never change."""

    list_display = ["guideline", "code", "title", "assessed_per", "published", "loaded_at"]
    readonly_fields = [f.name for f in Edition._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
