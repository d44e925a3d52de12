"""Thin pages of messaging: the calendar feeds, the composer, a message's delivery log."""

from __future__ import annotations

import csv

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from plenary.access import rules
from plenary.access.views import manages_programme, messages_programme
from plenary.core.i18n import pick
from plenary.messaging import calendars, merge, selectors, services
from plenary.messaging.errors import MessageRefused, TooLateToCancel
from plenary.messaging.forms import ComposeForm, ReminderRuleFormSet
from plenary.messaging.models import Channels, Delivery, Message, ReminderRule
from plenary.programmes import selectors as programme_selectors
from plenary.registrations import selectors as registration_selectors


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def programme_calendar(request, slug):
    programme = get_object_or_404(programme_selectors.public_programmes(), slug=slug)
    return _ics(calendars.programme_feed(programme), programme.slug)


def personal_calendar(request, token):
    registration = registration_selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    return _ics(calendars.personal_feed(registration), registration.programme.slug)


def _layout(request, programme) -> str:
    """Organisers see the message pages in the console; coordinators in their agency's layout, whose
    menu offers only what they may open (``access.rules.programme_menu``)."""
    return "manage/base.html" if rules.manages(request.user, programme) else "messaging/agency_base.html"


@messages_programme
def message_list(request, programme):
    shown = Message.objects.filter(programme=programme)
    if not rules.manages(request.user, programme):
        shown = shown.filter(created_by=request.user)
    rows = [
        (m, selectors.counts(m)) for m in shown.select_related("session").order_by("-send_at", "-id")[:200]
    ]
    return render(
        request,
        "messaging/list.html",
        {
            "programme": programme,
            "rows": rows,
            "manages": rules.manages(request.user, programme),
            "layout": _layout(request, programme),
        },
    )


@messages_programme
def compose(request, programme):
    among = rules.message_recipients(request.user, programme)
    form = ComposeForm(request.POST or None, programme=programme)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = (data["subject_en"], data["subject_zh"])
        body = (data["body_en"], data["body_zh"])
        action = request.POST.get("action", "preview")
        try:
            if action == "send":
                message = services.compose(
                    programme,
                    subject=subject,
                    body=body,
                    segment=form.segment(),
                    send_at=data.get("send_at"),
                    actor=request.user,
                    among=among,
                    channel=data.get("channel") or Channels.EMAIL,
                )
                notices.success(
                    request,
                    ngettext(
                        "Message queued for %(count)s person.",
                        "Message queued for %(count)s people.",
                        message.recipients,
                    )
                    % {"count": message.recipients},
                )
                return redirect("messaging:detail", slug=programme.slug, message_id=message.pk)
            services.check_texts(*subject, *body)
            people = services.recipients(programme, form.segment(), among)
            first = people.select_related("programme").first()
            if action == "test":
                if not request.user.email:
                    raise MessageRefused(_("Your account has no email address to send a test to."))
                services.send_test({"subject": subject, "body": body}, first, request.user.email)
                notices.success(
                    request, _("A test message went to %(email)s.") % {"email": request.user.email}
                )
            chosen = Channels.of(data.get("channel") or Channels.EMAIL)
            by_sms = "sms" in chosen
            preview = {
                "count": people.count(),
                "sms_count": services.sms_recipients(people).count() if by_sms else None,
                "email": "email" in chosen,
                "person": first,
                "languages": [
                    {
                        "label": label,
                        "subject": merge.fill(pick(*subject, language=code), values),
                        "body": merge.fill(pick(*body, language=code), values),
                        "values": values,
                    }
                    for code, label in (("en", _("English")), ("zh-hant", _("Chinese")))
                    for values in [selectors.person_values(first, language=code)]
                ],
            }
        except MessageRefused as error:
            form.add_error(None, error.message)
    return render(
        request,
        "messaging/compose.html",
        {
            "programme": programme,
            "form": form,
            "preview": preview,
            "fields": merge.FIELDS,
            "layout": _layout(request, programme),
        },
    )


def _message(request, programme, message_id) -> Message:
    message = Message.objects.filter(programme=programme, pk=message_id).first()
    if message is None or not rules.sees_message(request.user, message):
        raise Http404
    return message


@messages_programme
def detail(request, programme, message_id):
    message = _message(request, programme, message_id)
    failures = message.deliveries.filter(state=Delivery.State.FAILED).select_related("registration")[:100]
    return render(
        request,
        "messaging/detail.html",
        {
            "programme": programme,
            "message": message,
            "counts": selectors.counts(message),
            "failures": failures,
            "layout": _layout(request, programme),
        },
    )


@require_POST
@messages_programme
def cancel(request, programme, message_id):
    message = _message(request, programme, message_id)
    try:
        services.cancel(message, actor=request.user)
    except TooLateToCancel as error:
        notices.error(request, error.message)
    else:
        notices.success(request, _("The message is cancelled: nobody will receive it."))
    return redirect("messaging:detail", slug=programme.slug, message_id=message.pk)


@messages_programme
def failures_csv(request, programme, message_id):
    message = _message(request, programme, message_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}-failures.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "name", "address", "channel", "attempts", "error", "last attempt"])
    rows = (
        message.deliveries.filter(state=Delivery.State.FAILED).select_related("registration").order_by("id")
    )
    with timezone.override(programme.tzinfo), translation.override("en"):
        for d in rows.iterator(chunk_size=1000):
            writer.writerow(
                [
                    d.registration.reference,
                    d.registration.full_name,
                    d.address,
                    d.channel,
                    d.attempts,
                    d.last_error,
                    timezone.localtime(d.next_attempt_at).isoformat(),
                ]
            )
    return response


@manages_programme
def reminders(request, programme):
    """The programme's reminder rules: offsets, texts with merge fields, and a preview with a real person."""
    initial = [
        {
            "offset_minutes": r.offset_minutes,
            "subject_en": r.subject_en,
            "subject_zh": r.subject_zh,
            "body_en": r.body_en,
            "body_zh": r.body_zh,
            "channel": r.channel,
        }
        for r in services.reminder_rules(programme)
    ]
    formset = ReminderRuleFormSet(request.POST or None, initial=initial, prefix="rule")
    previews = []
    error = None
    if request.method == "POST" and formset.is_valid():
        rules = [
            {
                "offset_minutes": f["offset_minutes"],
                "subject": {"en": f["subject_en"], "zh_hant": f["subject_zh"]},
                "body": {"en": f["body_en"], "zh_hant": f["body_zh"]},
                "channel": f.get("channel") or Channels.EMAIL,
            }
            for f in formset.cleaned_data
            if f and f.get("offset_minutes")
        ]
        try:
            if request.POST.get("action") == "save":
                services.set_reminder_rules(programme, rules, actor=request.user)
                notices.success(request, _("Reminder rules saved."))
                return redirect("messaging:reminders", slug=programme.slug)
            for rule in rules:
                merge.check(*rule["subject"].values(), *rule["body"].values())
                unsaved = ReminderRule(
                    programme=programme,
                    offset_minutes=rule["offset_minutes"],
                    subject_en=rule["subject"]["en"],
                    subject_zh=rule["subject"]["zh_hant"],
                    body_en=rule["body"]["en"],
                    body_zh=rule["body"]["zh_hant"],
                )
                for code in ("en", "zh-hant"):
                    shown = services.preview_reminder(programme, unsaved, code)
                    if shown:
                        previews.append({"offset": rule["offset_minutes"], **shown})
        except MessageRefused as refused:
            error = refused.message
    return render(
        request,
        "messaging/reminders.html",
        {
            "programme": programme,
            "formset": formset,
            "previews": previews,
            "error": error,
            "fields": merge.FIELDS,
        },
    )
