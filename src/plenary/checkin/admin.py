from django.contrib import admin

from plenary.checkin.models import CheckIn, DoorSettings, Scan, StaffAssignment


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "assigned_by", "assigned_at"]
    list_filter = ["session__programme"]
    raw_id_fields = ["session"]


@admin.register(DoorSettings)
class DoorSettingsAdmin(admin.ModelAdmin):
    list_display = ["session", "asks_for_check_out"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Read-only: check-ins change only through the scanner and the desk (with their events)."""

    list_display = ["registration", "session", "first_scanned_at", "checked_out_at", "undone_at", "device"]
    list_filter = ["session"]
    search_fields = ["registration__reference", "registration__name_en", "registration__name_zh"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scan)
class ScanAdmin(CheckInAdmin):
    list_display = ["received_at", "session", "registration", "result", "detail", "scanned_at", "device"]
    list_filter = ["result", "session"]
