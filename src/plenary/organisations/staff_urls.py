"""The console's staff page: the people of the organiser's own bodies, invitations, roles and doors."""

from django.urls import path

from plenary.organisations import views

app_name = "staff"

urlpatterns = [
    path("manage/staff/", views.staff, name="list"),
    path("manage/staff/invite/", views.invite, name="invite"),
    path("manage/staff/m/<id:pk>/", views.membership, name="membership"),
    path("manage/staff/m/<id:pk>/remove/", views.remove, name="remove"),
    path("manage/staff/invitations/<id:pk>/cancel/", views.invitation_cancel, name="invitation-cancel"),
    path("manage/staff/invitations/<id:pk>/resend/", views.invitation_resend, name="invitation-resend"),
]
