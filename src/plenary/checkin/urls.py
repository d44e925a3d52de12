from django.urls import path

from plenary.checkin import views

app_name = "checkin"

urlpatterns = [
    path("checkin/", views.home, name="home"),
    path("checkin/sw.js", views.service_worker, name="service-worker"),
    path("checkin/<id:session_id>/", views.scanner, name="scanner"),
    path("checkin/<id:session_id>/desk/", views.desk, name="desk"),
    path("manage/p/<slug:slug>/door/", views.console, name="console"),
    path("me/<str:token>/pass.pdf", views.pass_download, name="pass-pdf"),
]
