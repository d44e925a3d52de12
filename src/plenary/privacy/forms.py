from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.privacy.models import PrivacyRequest


class DetailsForm(forms.Form):
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    phone = forms.CharField(label=_("mobile phone"), max_length=30, required=False)
    organisation_name = forms.CharField(label=_("organisation (as typed)"), max_length=300, required=False)
    post = forms.CharField(label=_("post"), max_length=200, required=False)
    service_unit = forms.CharField(label=_("service unit"), max_length=200, required=False)
    rsw_number = forms.CharField(label=_("Registered Social Worker number"), max_length=20, required=False)


class RequestForm(forms.ModelForm):
    reference = forms.CharField(label=_("registration reference (if known)"), max_length=12, required=False)

    class Meta:
        model = PrivacyRequest
        fields = ["kind", "channel", "received_on", "requester", "details"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"})}


class RetentionForm(forms.Form):
    days = forms.IntegerField(label=_("days kept after the programme ends"), min_value=1, max_value=36500)
