"""Forms of the staff page and of an invitation's link. Which bodies, agencies and sessions a form
offers comes from the caller (``access.rules``): a form never widens what the rules allow."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin
from plenary.organisations.models import Membership, Organisation

Role = Membership.Role
DOORS = [("all", _("Every door of the body's programmes")), ("some", _("Only the sessions ticked below"))]


class SessionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, session) -> str:
        return f"{session.programme.title} · {session.title}"


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, organisation) -> str:
        return organisation.name


class InviteForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        initial=Role.CHECKIN,
        help_text=_(
            "A coordinator is invited for a member agency; organisers and check-in staff for your body."
        ),
    )
    organisation = OrganisationChoice(
        label=_("Body or agency"), queryset=Organisation.objects.none(), empty_label=None
    )
    doors = forms.ChoiceField(
        label=_("Doors (check-in staff)"), choices=DOORS, widget=forms.RadioSelect, initial="all"
    )
    sessions = SessionChoices(
        label=_("Sessions"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check-in staff limited to sessions scan only at these doors."),
    )

    def __init__(self, *args, bodies, agencies, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies, self.agencies = bodies, agencies
        self.fields["organisation"].queryset = Organisation.objects.filter(
            Q(pk__in=bodies.values("pk")) | Q(pk__in=agencies.values("pk"))
        ).order_by("is_member_agency", "name_en")
        self.fields["sessions"].queryset = sessions

    def clean(self):
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        if organisation is None or role is None:
            return data
        if role == Role.COORDINATOR and not self.agencies.filter(pk=organisation.pk).exists():
            self.add_error(
                "organisation",
                _("Coordinators are invited for a member agency taking part in your programmes."),
            )
        if role != Role.COORDINATOR and not self.bodies.filter(pk=organisation.pk).exists():
            self.add_error("organisation", _("Organisers and check-in staff are invited for your own body."))
        if role == Role.CHECKIN and data.get("doors") == "some":
            chosen = data.get("sessions") or []
            if not chosen:
                self.add_error("sessions", _("Tick at least one session, or choose every door."))
            elif any(
                not session.programme.co_organisers.filter(organisation=organisation).exists()
                for session in chosen
            ):
                self.add_error("sessions", _("Tick only sessions of the chosen body's programmes."))
        return data


class RoleForm(AccessibleFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.ORGANISER, Role.ORGANISER.label), (Role.CHECKIN, Role.CHECKIN.label)],
        widget=forms.RadioSelect,
    )


class DoorsForm(AccessibleFormMixin, forms.Form):
    doors = forms.ChoiceField(label=_("Doors"), choices=DOORS, widget=forms.RadioSelect)
    sessions = SessionChoices(
        label=_("Sessions"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = sessions

    def clean(self):
        data = super().clean()
        if data.get("doors") == "some" and not data.get("sessions"):
            self.add_error("sessions", _("Tick at least one session, or choose every door."))
        return data


class AcceptInvitationForm(AccessibleFormMixin, SetPasswordForm):
    """Django's password form (its validators) with the person's name."""

    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    field_order = ["name", "new_password1", "new_password2"]
