from django.urls import path

from plenary.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/<str:token>/data.json", views.data_json, name="data-json"),
    path("me/<str:token>/data/", views.data_html, name="data"),
    path("me/<str:token>/data/part/", views.data_part, name="data-part"),
    path("me/<str:token>/details/", views.details, name="details"),
    path("me/<str:token>/consent/", views.consent, name="consent"),
    path("me/<str:token>/erase/", views.erase, name="erase"),
    path("manage/p/<slug:slug>/privacy/", views.requests_log, name="requests"),
    path("manage/p/<slug:slug>/privacy/retention/", views.retention, name="retention"),
    path("manage/p/<slug:slug>/privacy/<id:pk>/", views.answer, name="answer"),
    path(
        "manage/p/<slug:slug>/registrations/r/<str:reference>/data.<str:kind>",
        views.registration_data,
        name="registration-data",
    ),
]
