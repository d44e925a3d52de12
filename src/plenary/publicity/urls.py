from django.urls import path

from plenary.publicity import views

app_name = "publicity"

urlpatterns = [
    path("news/", views.news, name="news"),
    path("news/<slug:slug>/", views.news_detail, name="news-detail"),
    path("news/<slug:slug>/release.<str:fmt>", views.news_export, name="news-export"),
    path("manage/p/<slug:slug>/releases/", views.manage_releases, name="manage-releases"),
    path("manage/p/<slug:slug>/releases/<id:pk>/", views.manage_release, name="manage-release"),
    path("manage/p/<slug:slug>/releases/<id:pk>/preview/", views.preview_release, name="preview-release"),
    path("manage/p/<slug:slug>/releases/<id:pk>/publish/", views.publish_release, name="publish-release"),
]
