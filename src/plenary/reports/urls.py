from django.urls import path

from plenary.reports import agency, views

app_name = "reports"

urlpatterns = [
    path("manage/p/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("manage/p/<slug:slug>/dashboard/figures.xlsx", views.dashboard_export, name="dashboard-xlsx"),
]
urlpatterns += [
    path("agency/record/", agency.record, name="agency-record"),
    path("agency/record/cpd.csv", agency.record_csv, name="agency-record-csv"),
    path("agency/record/p/<slug:slug>/", agency.record_programme, name="agency-record-programme"),
]
