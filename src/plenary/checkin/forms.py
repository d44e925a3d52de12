from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin
from plenary.organisations.models import Membership


class WalkInForm(AccessibleFormMixin, forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"))
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)


class AssignStaffForm(AccessibleFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Check-in staff"),
        queryset=get_user_model().objects.none(),
        help_text=_("Accounts with the check-in staff role."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__role=Membership.Role.CHECKIN, is_active=True)
            .distinct()
            .order_by("username")
        )
