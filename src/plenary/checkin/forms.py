from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin


class WalkInForm(AccessibleFormMixin, forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"))
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    consent_pics = forms.BooleanField(
        label=_("The person has read the Personal Information Collection Statement"),
        help_text=_(
            "Show it on the screen or give the printed copy; a walk-in is registered like anyone else."
        ),
    )

    def applicant(self, *, language: str):
        from plenary.registrations.services import Applicant

        data = self.cleaned_data
        return Applicant(
            email=data["email"],
            name_en=data["name_en"],
            name_zh=data["name_zh"],
            organisation_name=data["organisation_name"],
            language=language,
            consent_pics=data["consent_pics"],
        )


class AssignStaffForm(AccessibleFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Check-in staff"),
        queryset=get_user_model().objects.none(),
        help_text=_("Accounts with the check-in staff role."),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the door staff of the organiser's own bodies (``access.rules.door_staff``).
        self.fields["user"].queryset = staff
