"""Demo step: the reference programme's reminder rules and, as history, the thank-you message sent to
everyone confirmed the day after the last session (recorded as delivered; nothing is mailed)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from plenary.messaging import services
from plenary.messaging.models import Delivery, Message
from plenary.registrations import private_page
from plenary.registrations.models import Registration
from plenary.site.demo import DemoContext

SUBJECT = ("Thank you for joining {programme}", "多謝你參加{programme}")
BODY = (
    "Dear {name},\n\nThank you for taking part. Your certificate and your reflections are on your page: "
    "{private_url}",
    "{name}你好：\n\n多謝你參與。你的證書和反思都在你的專頁：{private_url}",
)


def load(context: DemoContext) -> None:
    programme = context.programme
    services.reminder_rules(programme)  # the defaults: 1 day and 1 hour before each session
    if Message.objects.filter(programme=programme, kind=Message.Kind.BULK, subject_en=SUBJECT[0]).exists():
        return
    if not programme.registrations.filter(status=Registration.Status.CONFIRMED).exists():
        return
    last = programme.sessions.order_by("-ends_at").first()
    with transaction.atomic():
        message = services.compose(programme, subject=SUBJECT, body=BODY, segment={"status": ["confirmed"]})
        sent_at = (last.ends_at if last else message.send_at) + timedelta(days=1)
        Message.objects.filter(pk=message.pk).update(state=Message.State.SENT, send_at=sent_at)
        Delivery.objects.filter(message=message).update(
            state=Delivery.State.SENT, attempts=1, sent_at=sent_at, next_attempt_at=sent_at
        )
        private_page.page_changed(
            *Delivery.objects.filter(message=message).values_list("registration_id", flat=True)
        )
    context.log.append(f"messaging: reminder rules; a thank-you message to {message.recipients} people")
