from django.urls import path

from plenary.registrations import views

app_name = "registrations"

urlpatterns = [
    path("p/<slug:slug>/register/", views.register, name="register"),
    path("p/<slug:slug>/register/link/", views.resend, name="resend"),
    path("me/<str:token>/", views.private, name="private"),
    path("me/<str:token>/mode/", views.private_mode, name="private-mode"),
    path("me/<str:token>/cancel/", views.private_cancel, name="private-cancel"),
    path("me/<str:token>/renew/", views.private_rotate, name="private-renew"),
]
