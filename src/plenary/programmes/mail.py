"""Mail about programmes: each speaker's slot in a run-down, in English and Chinese in one message."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plenary.programmes import selectors
from plenary.programmes.models import Session


def _slot_text(session: Session, slot: dict, language: str) -> tuple[str, str]:
    """Subject and body of one speaker's slot in one language."""
    with translation.override(language):
        local = timezone.localtime
        item = slot["item"]
        subject = _("Your slot: %(title)s") % {"title": session.title}
        lines = [
            _("Dear %(name)s,") % {"name": item.speaker.display_name},
            "",
            _("Thank you for speaking at %(programme)s.") % {"programme": session.programme.title},
            _("Session: %(title)s") % {"title": session.title},
            _("Date: %(date)s") % {"date": f"{local(slot['starts_at']):%Y-%m-%d}"},
            _("Your slot: %(start)s–%(end)s (%(minutes)s minutes)")
            % {
                "start": f"{local(slot['starts_at']):%H:%M}",
                "end": f"{local(slot['ends_at']):%H:%M}",
                "minutes": item.duration_minutes,
            },
            _("Item: %(title)s") % {"title": item.title},
        ]
        if item.language:
            lines.append(_("Language: %(language)s") % {"language": item.get_language_display()})
        if session.venue:
            lines.append(_("Venue: %(venue)s") % {"venue": session.venue.name})
        return subject, "\n".join(lines)


def send_speaker_slots(session_id: int, job: str | None = None) -> int:
    """Emails every speaker who has an email address their slot; returns how many messages were sent.
    Each slot's email goes once per ``job`` (``messaging/once.py``): a run again after a crash skips
    those already sent."""
    from plenary.messaging import once

    session = Session.objects.select_related("programme", "venue").get(pk=session_id)
    messages = []
    with timezone.override(session.programme.tzinfo):
        for slot in selectors.speaker_slots(session):
            subject_en, body_en = _slot_text(session, slot, "en")
            subject_zh, body_zh = _slot_text(session, slot, "zh-hant")
            messages.append(
                (
                    f"agendaitem:{slot['item'].pk}",
                    EmailMessage(
                        subject=f"{subject_zh} | {subject_en}",
                        body=f"{body_zh}\n\n— — —\n\n{body_en}\n",
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[slot["item"].speaker.email],
                    ),
                )
            )
    return once.send_each_once(job or once.job_key(), messages)
