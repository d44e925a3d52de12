from django.contrib import admin

from plenary.registrations.models import ConsentRecord, Quota, Registration, SeatAllocation, SeatCounter


class SeatInline(admin.TabularInline):
    model = SeatAllocation
    extra = 0


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ["kind", "given", "wording_version", "language", "recorded_at"]
    can_delete = False


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
    inlines = [SeatInline, ConsentInline]


@admin.register(SeatCounter)
class SeatCounterAdmin(admin.ModelAdmin):
    """Read-only: counters change only through the registration services."""

    list_display = ["session", "mode", "capacity", "taken", "waiting"]
    readonly_fields = ["session", "mode", "capacity", "taken", "waiting"]

    def has_add_permission(self, request):
        return False


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["programme", "organisation", "places", "used"]
    list_filter = ["programme"]
    readonly_fields = ["used"]
