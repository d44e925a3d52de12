from django.urls import path

from plenary.reports import views

app_name = "reports"

urlpatterns = [
    path("manage/p/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("manage/p/<slug:slug>/dashboard/figures.xlsx", views.dashboard_export, name="dashboard-xlsx"),
]
