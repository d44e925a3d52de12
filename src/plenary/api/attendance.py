"""API rows for attendance: meeting-report imports and per-session attendance (CONTRACT.md)."""

from __future__ import annotations

from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from plenary.access.api import managed_session
from plenary.attendance import selectors as attendance_selectors
from plenary.attendance import services
from plenary.attendance.models import Attendance, AttendanceImport

router = Router(tags=["attendance"])


class RowOut(Schema):
    line: int
    name: str
    email: str
    reason: str


class ImportOut(Schema):
    id: int
    format: str
    rows: int
    participants: int
    matched: int
    unmatched: int
    rejected: int
    duplicate: bool
    unmatched_rows: list[RowOut]
    rejected_rows: list[dict]


class AttendanceOut(Schema):
    reference: str
    mode: str
    minutes: int
    present: bool


def _import(batch: AttendanceImport, duplicate: bool) -> dict:
    return {
        "id": batch.pk,
        "format": batch.format,
        "rows": batch.rows,
        "participants": batch.participants,
        "matched": batch.matched,
        "unmatched": len(batch.unmatched_rows),
        "rejected": len(batch.rejected_rows),
        "duplicate": duplicate,
        "unmatched_rows": [
            {
                "line": row["line"],
                "name": row.get("name", ""),
                "email": row.get("email", ""),
                "reason": row.get("reason", ""),
            }
            for row in batch.unmatched_rows
        ],
        "rejected_rows": batch.rejected_rows,
    }


@router.post("sessions/{session_id}/attendance-imports", response={200: ImportOut, 201: ImportOut})
def import_report(
    request,
    session_id: int,
    file: UploadedFile = File(...),  # noqa: B008 - django-ninja declares parameters this way
    format: str = Form("auto"),
    tz: str | None = Form(None),
    date_order: str = Form("auto"),
):
    """Imports a meeting report. 201 with the counts; the same file again answers 200 with the earlier
    import and ``duplicate: true`` and changes nothing; an unreadable file answers 422 with a message, as does a
    file whose dates read either way (send ``date_order`` ``DM`` or ``MD``)."""
    session = managed_session(request, session_id)
    try:
        outcome = services.import_meeting_report(
            session,
            file,
            format=format,
            tz=tz or None,
            actor=request.auth,
            file_name=file.name,
            date_order=date_order,
        )
    except services.ImportFailed as error:
        raise HttpError(422, str(error)) from error
    return Status(200 if outcome.duplicate else 201, _import(outcome.batch, outcome.duplicate))


@router.get("sessions/{session_id}/attendance", response=list[AttendanceOut])
def session_attendance(request, session_id: int):
    """Per registration of the programme: reference, mode, minutes and whether they count as present."""
    session = managed_session(request, session_id)
    people = attendance_selectors.registrants(session.programme).values_list("pk", "reference")
    rows = {
        row.registration_id: row
        for row in Attendance.objects.filter(session=session).only(
            "registration_id", "mode", "minutes", "present"
        )
    }
    return [
        {
            "reference": reference,
            "mode": rows[pk].mode if pk in rows else "",
            "minutes": rows[pk].minutes if pk in rows else 0,
            "present": rows[pk].present if pk in rows else False,
        }
        for pk, reference in people
    ]
