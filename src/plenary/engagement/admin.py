from django.contrib import admin

from plenary.engagement.models import Question, Reflection, Response, Survey


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "allow_publication", "is_selected", "published_at"]
    list_filter = ["allow_publication", "is_selected"]
    raw_id_fields = ["registration", "sharing_item"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["session", "is_open", "created_at"]
    list_filter = ["is_open"]
    inlines = [QuestionInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["registration", "survey", "submitted_at"]
    raw_id_fields = ["registration"]
