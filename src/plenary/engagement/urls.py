from django.urls import path

from plenary.engagement import console, views

app_name = "engagement"

urlpatterns = [
    path("me/<str:token>/feedback/", views.feedback, name="feedback"),
    path("me/<str:token>/reflect/<id:session_id>/", views.reflect, name="reflect"),
    path("me/<str:token>/survey/<id:session_id>/", views.survey, name="survey"),
    path("manage/p/<slug:slug>/reflections/", console.reflections, name="manage-reflections"),
    path(
        "manage/p/<slug:slug>/reflections/<id:pk>/<str:action>/",
        console.reflection_action,
        name="manage-reflection-action",
    ),
    path("manage/p/<slug:slug>/surveys/", console.surveys, name="manage-surveys"),
    path("manage/p/<slug:slug>/surveys/<id:session_id>/", console.survey_results, name="manage-survey"),
    path(
        "manage/p/<slug:slug>/surveys/<id:session_id>/questions/",
        console.survey_questions,
        name="manage-survey-questions",
    ),
    path(
        "manage/p/<slug:slug>/surveys/<id:session_id>/export.xlsx",
        console.survey_export,
        name="manage-survey-export",
    ),
    path(
        "manage/p/<slug:slug>/surveys/<id:session_id>/state/",
        console.survey_state,
        name="manage-survey-state",
    ),
    path(
        "manage/p/<slug:slug>/surveys/<id:session_id>/invite/",
        console.survey_invite,
        name="manage-survey-invite",
    ),
]
