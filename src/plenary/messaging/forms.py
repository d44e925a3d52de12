from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import NoHkidMixin
from plenary.messaging.models import Channels
from plenary.registrations.models import Registration

CHANNEL_HELP = _(
    "SMS goes only to people who gave a mobile number and agreed to SMS; the others get nothing by SMS. "
    "A text message carries the subject and the text: keep it short."
)

STATUS_CHOICES = [
    ("", _("Everyone active (confirmed, waiting list, pending)")),
    ("confirmed", _("Confirmed")),
    ("waitlisted", _("Waiting list")),
    ("pending", _("Pending approval")),
]


class ComposeForm(NoHkidMixin, forms.Form):
    hkid_exempt = ("agency",)  # a filter, not stored
    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=Channels.choices,
        initial=Channels.EMAIL,
        required=False,  # empty: email
        help_text=CHANNEL_HELP,
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=[("", _("Any mode")), *Registration.Mode.choices], required=False
    )
    agency = forms.CharField(label=_("Agency (name or acronym)"), required=False, max_length=300)
    session = forms.TypedChoiceField(label=_("Session"), coerce=int, required=False, empty_value=None)
    attended = forms.ChoiceField(
        label=_("Attendance at that session"),
        choices=[("", _("Any")), ("yes", _("Attended")), ("no", _("Missed"))],
        required=False,
    )
    not_evaluated = forms.BooleanField(label=_("Only those who have not yet evaluated"), required=False)
    no_certificate = forms.BooleanField(label=_("Only those without a certificate"), required=False)
    below_threshold = forms.BooleanField(
        label=_("Only those below the attendance the certificate needs"), required=False
    )
    news_opt_in = forms.BooleanField(label=_("Only those who opted in to news"), required=False)
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=300)
    subject_zh = forms.CharField(label=_("Subject (Chinese)"), required=False, max_length=300)
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    body_zh = forms.CharField(
        label=_("Text (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    send_at = forms.DateTimeField(
        label=_("Send at (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("No session"))] + [
            (s.pk, s.title) for s in programme.sessions.order_by("starts_at")
        ]

    def segment(self) -> dict:
        data = self.cleaned_data
        segment: dict = {}
        if data.get("status"):
            segment["status"] = [data["status"]]
        if data.get("mode"):
            segment["mode"] = data["mode"]
        if data.get("agency"):
            segment["agency"] = data["agency"].strip()
        if data.get("session"):
            segment["session_id"] = data["session"]
        if data.get("attended"):
            segment["attended"] = data["attended"] == "yes"
        if data.get("not_evaluated"):
            segment["evaluated"] = False
        if data.get("no_certificate"):
            segment["certificate"] = False
        if data.get("below_threshold"):
            segment["below_threshold"] = True
        if data.get("news_opt_in"):
            segment["news_opt_in"] = True
        return segment


class ReminderRuleForm(NoHkidMixin, forms.Form):
    offset_minutes = forms.IntegerField(
        label=_("Minutes before the session (empty: no reminder)"), required=False, min_value=1
    )
    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=Channels.choices,
        initial=Channels.EMAIL,
        required=False,  # empty: email
        help_text=CHANNEL_HELP,
    )
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=300)
    subject_zh = forms.CharField(label=_("Subject (Chinese)"), required=False, max_length=300)
    body_en = forms.CharField(
        label=_("Text (English; empty: the standard reminder)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    body_zh = forms.CharField(
        label=_("Text (Chinese; empty: the standard reminder)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


ReminderRuleFormSet = forms.formset_factory(ReminderRuleForm, extra=1, max_num=6)
