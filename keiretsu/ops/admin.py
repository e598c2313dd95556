from django.contrib import admin

from .models import BackupRun, WorkerHeartbeat

# The administrator's index page shows the last backup and the workers (templates/ops/admin_index.html).
admin.site.index_template = "ops/admin_index.html"


@admin.register(BackupRun)
class BackupRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "trigger", "status", "verified", "encrypted", "size", "file_name", "copied_to"]
    list_filter = ["status", "trigger"]
    readonly_fields = [f.name for f in BackupRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "pid", "worker_id", "started_at", "last_seen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
