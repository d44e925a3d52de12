from django.contrib import admin

from plenary.attendance.models import Attendance, AttendanceEvent, AttendanceImport


@admin.register(AttendanceEvent)
class AttendanceEventAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "source", "kind", "mode", "started_at", "ended_at"]
    list_filter = ["source", "kind", "mode"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "mode", "minutes", "present"]
    list_filter = ["present", "mode"]


@admin.register(AttendanceImport)
class AttendanceImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "session", "format", "rows", "matched", "uploaded_at"]
