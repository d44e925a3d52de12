from django.urls import path

from plenary.registrations import agency, console, views

app_name = "registrations"

urlpatterns = [
    path("p/<slug:slug>/register/", views.register, name="register"),
    path("p/<slug:slug>/register/link/", views.resend, name="resend"),
    path("p/<slug:slug>/register/received/", views.received, name="received"),
    path("me/<str:token>/", views.private, name="private"),
    path("me/<str:token>/mode/", views.private_mode, name="private-mode"),
    path("me/<str:token>/cancel/", views.private_cancel, name="private-cancel"),
    path("me/<str:token>/again/", views.private_again, name="private-again"),
    path("me/<str:token>/renew/", views.private_rotate, name="private-renew"),
    path("manage/p/<slug:slug>/registrations/", console.registration_list, name="manage-list"),
    path("manage/p/<slug:slug>/registrations/add/", console.registration_add, name="manage-add"),
    path("manage/p/<slug:slug>/registrations/quotas/", console.quotas, name="manage-quotas"),
    path("manage/p/<slug:slug>/registrations/export.<str:kind>", console.export, name="manage-export"),
    path(
        "manage/p/<slug:slug>/registrations/r/<str:reference>/",
        console.registration_detail,
        name="manage-detail",
    ),
    path(
        "manage/p/<slug:slug>/registrations/r/<str:reference>/<str:action>/",
        console.registration_action,
        name="manage-action",
    ),
    path("agency/", agency.home, name="agency-home"),
    path("agency/p/<slug:slug>/", agency.programme, name="agency-programme"),
    path("agency/p/<slug:slug>/nominate/", agency.nominate, name="agency-nominate"),
    path("agency/p/<slug:slug>/upload/", agency.upload, name="agency-upload"),
    path("agency/p/<slug:slug>/template.<str:kind>", agency.template, name="agency-template"),
    path("agency/p/<slug:slug>/r/<str:reference>/cancel/", agency.cancel, name="agency-cancel"),
    path("agency/p/<slug:slug>/r/<str:reference>/again/", agency.register_again, name="agency-again"),
]
