from django.urls import path

from plenary.messaging import views

app_name = "messaging"

urlpatterns = [
    path("p/<slug:slug>/calendar.ics", views.programme_calendar, name="programme-calendar"),
    path("me/<str:token>/calendar.ics", views.personal_calendar, name="personal-calendar"),
    path("manage/p/<slug:slug>/messages/", views.message_list, name="list"),
    path("manage/p/<slug:slug>/messages/new/", views.compose, name="compose"),
    path("manage/p/<slug:slug>/messages/reminders/", views.reminders, name="reminders"),
    path("manage/p/<slug:slug>/messages/<id:message_id>/", views.detail, name="detail"),
    path("manage/p/<slug:slug>/messages/<id:message_id>/cancel/", views.cancel, name="cancel"),
    path("manage/p/<slug:slug>/messages/<id:message_id>/failures.csv", views.failures_csv, name="failures"),
]
