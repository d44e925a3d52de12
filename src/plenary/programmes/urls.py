from django.urls import path, register_converter

from plenary.programmes import console, views

app_name = "programmes"


class ObjectKind:
    """The kinds of programme object the console edits in one flow; other apps own the other paths."""

    regex = "sessions|speakers|organisers"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ObjectKind, "objectkind")

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", views.programme_detail, name="detail"),
    path("manage/", console.manage_home, name="manage-home"),
    path("manage/programmes/new/", console.programme_new, name="manage-programme-new"),
    path("manage/venues/new/", console.venue_edit, name="manage-venue-new"),
    path("manage/venues/<id:pk>/", console.venue_edit, name="manage-venue"),
    path("manage/p/<slug:slug>/", console.programme_overview, name="manage-programme"),
    path("manage/p/<slug:slug>/edit/", console.programme_edit, name="manage-programme-edit"),
    path("manage/p/<slug:slug>/audit/", console.audit_log, name="manage-audit"),
    path("manage/p/<slug:slug>/sessions/<id:session_id>/rundown/", console.agenda, name="manage-agenda"),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/",
        console.agenda,
        name="manage-agenda-item",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/move/",
        console.agenda_move,
        name="manage-agenda-move",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/rundown.pdf",
        console.agenda_pdf,
        name="manage-agenda-pdf",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/email-speakers/",
        console.agenda_email_speakers,
        name="manage-agenda-email",
    ),
    path(
        "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/delete/",
        console.agenda_delete,
        name="manage-agenda-delete",
    ),
    path(
        "manage/p/<slug:slug>/<objectkind:kind>/new/", console.programme_object_edit, name="manage-object-new"
    ),
    path(
        "manage/p/<slug:slug>/<objectkind:kind>/<id:pk>/",
        console.programme_object_edit,
        name="manage-object",
    ),
    path(
        "manage/p/<slug:slug>/<objectkind:kind>/<id:pk>/delete/",
        console.programme_object_delete,
        name="manage-object-delete",
    ),
]
