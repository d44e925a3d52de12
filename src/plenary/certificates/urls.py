from django.urls import path

from plenary.certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/offline/", views.verify_offline, name="verify-offline"),
    path("verify/sw.js", views.verify_worker, name="verify-worker"),
    path("verify/<str:serial>/", views.verify, name="verify"),
    path("me/<str:token>/certificates/", views.mine, name="mine"),
    path("me/<str:token>/certificates/<str:serial>.pdf", views.mine_pdf, name="mine-pdf"),
    path("manage/p/<slug:slug>/certificates/", views.console, name="console"),
    path("manage/p/<slug:slug>/certificates/issue/", views.issue, name="issue"),
    path("manage/p/<slug:slug>/certificates/preview.pdf", views.preview, name="preview"),
    path("manage/p/<slug:slug>/certificates/jobs/<id:job_id>/", views.job_progress, name="job"),
    path("manage/p/<slug:slug>/certificates/all.zip", views.download_zip, name="zip"),
    path("manage/p/<slug:slug>/certificates/cpd.<str:fmt>", views.export, name="export"),
    path("manage/p/<slug:slug>/certificates/<str:serial>.pdf", views.certificate_pdf, name="pdf"),
    path("manage/p/<slug:slug>/certificates/<str:serial>/revoke/", views.revoke, name="revoke"),
]
