from django.urls import path

from plenary.media import views

app_name = "media"

urlpatterns = [
    path("manage/p/<slug:slug>/sessions/<int:session_id>/photos/", views.manage_photos, name="manage-photos"),
    path(
        "manage/p/<slug:slug>/sessions/<int:session_id>/photos/upload/",
        views.upload_photos,
        name="upload-photos",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<int:session_id>/photos/<int:pk>/delete/",
        views.delete_photo,
        name="delete-photo",
    ),
    path("photos/<int:pk>/request-removal/", views.request_removal, name="request-removal"),
]
