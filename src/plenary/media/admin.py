from django.contrib import admin

from plenary.media.models import Photo, RemovalRequest


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "session", "order", "published", "people_consent"]
    list_filter = ["published", "people_consent"]
    search_fields = ["caption_en", "caption_zh", "photographer"]


@admin.register(RemovalRequest)
class RemovalRequestAdmin(admin.ModelAdmin):
    list_display = ["photo", "name", "email", "created_at", "handled"]
    list_filter = ["handled"]
