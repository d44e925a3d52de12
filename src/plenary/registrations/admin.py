from django.contrib import admin

from plenary.registrations.models import Registration, SeatAllocation


class SeatInline(admin.TabularInline):
    model = SeatAllocation
    extra = 0


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "name_en",
        "name_zh",
        "email",
        "organisation",
        "status",
        "source",
        "created_at",
    ]
    list_filter = ["status", "source", "programme"]
    search_fields = ["reference", "name_en", "name_zh", "email"]
    readonly_fields = ["token", "pass_code"]
    inlines = [SeatInline]
