from django.contrib import admin

from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker, Venue


class CoOrganiserInline(admin.TabularInline):
    model = CoOrganiser
    extra = 0
    autocomplete_fields = ["organisation"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title_en", "slug", "starts_on", "ends_on", "status", "registration_open"]
    list_filter = ["status"]
    search_fields = ["title_en", "title_zh", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [CoOrganiserInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title_en", "programme", "kind", "mode", "starts_at", "ends_at", "cpd_hours"]
    list_filter = ["kind", "mode", "programme"]
    search_fields = ["title_en", "title_zh"]
    filter_horizontal = ["speakers"]
    inlines = [AgendaItemInline]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["display_name_en", "name_zh", "post_en", "programme", "is_official"]
    list_filter = ["is_official", "programme"]
    search_fields = ["name_en", "name_zh"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "capacity"]
    search_fields = ["name_en", "name_zh"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title_en", "session", "order", "kind", "speaker", "duration_minutes"]
    list_filter = ["kind"]
