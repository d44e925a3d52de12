from django.urls import path

from plenary.media import views

app_name = "media"

urlpatterns = [
    path("manage/p/<slug:slug>/sessions/<id:session_id>/photos/", views.manage_photos, name="manage-photos"),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/photos/upload/",
        views.upload_photos,
        name="upload-photos",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/photos/<id:pk>/delete/",
        views.delete_photo,
        name="delete-photo",
    ),
    path("photos/<id:pk>/request-removal/", views.request_removal, name="request-removal"),
]
