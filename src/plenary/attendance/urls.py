from django.urls import path

from plenary.attendance import console, views

app_name = "attendance"

urlpatterns = [
    path("j/<str:token>/<id:session_id>/", views.join, name="join"),
    path("j/<str:token>/<id:session_id>/watch/", views.watch, name="watch"),
    path("j/<str:token>/<id:session_id>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("manage/p/<slug:slug>/attendance/", console.matrix, name="matrix"),
    path("manage/p/<slug:slug>/attendance/sessions/<id:session_id>/", console.session_page, name="session"),
    path(
        "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/imports/<id:import_id>/match/",
        console.match_row,
        name="match",
    ),
    path("manage/p/<slug:slug>/attendance/sessions/<id:session_id>/adjust/", console.adjust, name="adjust"),
    path(
        "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/meeting/", console.meeting, name="meeting"
    ),
]
