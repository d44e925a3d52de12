from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.attendance import reports
from plenary.attendance.models import FORMAT_CHOICES
from plenary.core.forms import AccessibleFormMixin, NoHkidMixin

assert [value for value, _label in FORMAT_CHOICES] == reports.FORMATS


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Meeting report"), help_text=_("The CSV (or XLSX) export from Zoom, Teams or Webex.")
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    date_order = forms.ChoiceField(
        label=_("Date order"),
        choices=[
            ("auto", _("Decide from the file")),
            ("DM", _("Day first (26/11/2030)")),
            ("MD", _("Month first (11/26/2030)")),
        ],
        initial="auto",
        required=False,
        help_text=_("Only needed when the file's dates could be read either way; you will be asked."),
    )
    tz = forms.CharField(
        label=_("Time zone of the times in the file"),
        max_length=64,
        help_text=_("Leave as it is unless the export was made on a computer set to another zone."),
    )

    def clean_date_order(self):
        return self.cleaned_data.get("date_order") or "auto"

    def clean_tz(self):
        zone = self.cleaned_data["tz"].strip()
        if zone not in available_timezones():
            raise forms.ValidationError(_("%(zone)s is not a known time zone."), params={"zone": zone})
        return zone


class MatchForm(AccessibleFormMixin, forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    registrant = forms.CharField(
        label=_("Registrant (reference or email)"), max_length=254, help_text=_("For example R7K2M9QXD.")
    )


class AdjustForm(NoHkidMixin, AccessibleFormMixin, forms.Form):
    hkid_exempt = ("registrant",)  # looked up, not stored
    registrant = forms.CharField(label=_("Registrant (reference or email)"), max_length=254)
    minutes = forms.IntegerField(label=_("Minutes attended"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class MatrixFilterForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)
    below = forms.BooleanField(label=_("Only people below the threshold"), required=False)

    def __init__(self, *args, agencies=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [(a.pk, a.name) for a in agencies]
        self.fields["session"].choices = [("", _("All sessions"))] + [(s.pk, s.title) for s in sessions]


class MeetingForm(AccessibleFormMixin, forms.Form):
    """Connects a session to its online meeting, whose report the worker then pulls after it ends."""

    platform = forms.ChoiceField(label=_("Platform"), choices=[])
    meeting_id = forms.CharField(
        label=_("Meeting id"),
        max_length=300,
        help_text=_(
            "Zoom: the meeting number or UUID. Teams: the online meeting id from Microsoft Graph. "
            "Webex: the meeting instance id."
        ),
    )

    def __init__(self, *args, **kwargs):
        from plenary.attendance.models import MeetingConnection

        kwargs.setdefault("prefix", "meeting")
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = MeetingConnection.Platform.choices

    def clean_meeting_id(self):
        value = self.cleaned_data["meeting_id"].strip()
        if not value or any(ord(character) < 32 for character in value):
            raise forms.ValidationError(_("Give the meeting's id as the platform shows it."))
        return value
