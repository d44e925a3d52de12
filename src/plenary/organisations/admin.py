from django.contrib import admin

from plenary.organisations.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "acronym", "kind", "is_member_agency"]
    list_filter = ["kind", "is_member_agency"]
    search_fields = ["name_en", "name_zh", "acronym"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "all_doors"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name_en"]
    autocomplete_fields = ["user", "organisation"]
