"""Forms of the public registration page, the private page and the consoles."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin, NoHkidMixin
from plenary.organisations.models import Organisation
from plenary.programmes.models import Session
from plenary.registrations import services
from plenary.registrations.models import Quota, Registration

MODE_CHOICES = [(Registration.Mode.IN_PERSON, _("In person")), (Registration.Mode.ONLINE, _("Online"))]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class RegistrationForm(AccessibleFormMixin, forms.Form):
    """The public form. The person's details, a mode per hybrid session and the consents."""

    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Mobile phone (optional)"), max_length=30, required=False)
    organisation = AgencyChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Other (type it below)"),
    )
    organisation_other = forms.CharField(
        label=_("Organisation, if not in the list"), max_length=300, required=False
    )
    post = forms.CharField(label=_("Post"), max_length=200, required=False)
    service_unit = forms.CharField(label=_("Service unit"), max_length=200, required=False)
    rsw_number = forms.CharField(
        label=_("Registered Social Worker number (optional)"),
        max_length=20,
        required=False,
        help_text=_("One or two letters and 4 to 6 digits, e.g. S12345. Never give your HKID number."),
    )
    consent_pics = forms.BooleanField(
        label=_("I have read the Personal Information Collection Statement above."),
        required=True,
        error_messages={
            "required": _("Please read and acknowledge the Personal Information Collection Statement.")
        },
    )
    news_opt_in = forms.BooleanField(
        label=_("Yes, send me news of future programmes by email."), required=False
    )
    photo_opt_out = forms.BooleanField(label=_("I prefer not to appear in event photos."), required=False)
    sms_opt_in = forms.BooleanField(
        label=_("Yes, send me reminders and messages by SMS too (to the mobile number above)."),
        required=False,
    )

    def __init__(
        self, *args, sessions: list[Session], agencies, organisation_required: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = agencies
        self.organisation_required = organisation_required
        self.hybrid_sessions = [session for session in sessions if session.mode == Session.Mode.HYBRID]
        for session in self.hybrid_sessions:
            self.fields[f"mode_{session.pk}"] = forms.ChoiceField(
                label=session.title,
                choices=MODE_CHOICES,
                widget=forms.RadioSelect,
                initial=Registration.Mode.ONLINE,
                error_messages={"required": _("Choose in person or online.")},
            )

    def mode_fields(self):
        return [self[f"mode_{session.pk}"] for session in self.hybrid_sessions]

    def detail_fields(self):
        names = [
            "name_en",
            "name_zh",
            "email",
            "phone",
            "organisation",
            "organisation_other",
            "post",
            "service_unit",
            "rsw_number",
        ]
        return [self[name] for name in names if name in self.fields]

    def clean(self):
        data = super().clean()
        if not data.get("name_en", "").strip() and not data.get("name_zh", "").strip():
            self.add_error("name_en", _("Give your name in English or in Chinese."))
        if data.get("sms_opt_in") and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Give your mobile number to receive SMS."))
        if (
            self.organisation_required
            and "organisation" in self.fields
            and not data.get("organisation")
            and not data.get("organisation_other", "").strip()
        ):
            self.add_error("organisation_other", _("Choose your organisation or type its name."))
        return data

    def modes(self) -> dict[int, str]:
        return {session.pk: self.cleaned_data[f"mode_{session.pk}"] for session in self.hybrid_sessions}

    def applicant(self, *, language: str) -> services.Applicant:
        """The person as the registration services take them; fields a form variant lacks stay empty."""
        data = self.cleaned_data
        modes = self.modes()
        organisation = data.get("organisation")
        return services.Applicant(
            email=data["email"],
            name_en=data["name_en"],
            name_zh=data["name_zh"],
            phone=data["phone"],
            organisation=organisation,
            organisation_name="" if organisation else data.get("organisation_other", "").strip(),
            post=data["post"],
            service_unit=data["service_unit"],
            rsw_number=data["rsw_number"],
            preferred_mode=next(iter(modes.values()), Registration.Mode.ONLINE),
            modes=modes,
            language=data.get("language") or language,
            consent_pics=data["consent_pics"],
            news_opt_in=data.get("news_opt_in", False),
            photo_opt_out=data["photo_opt_out"],
            sms_opt_in=data.get("sms_opt_in", False),
        )


class ResendLinkForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)


class NominationForm(RegistrationForm):
    """A coordinator's form: the agency is theirs, the person acknowledged the statement to them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, organisation_required=False, **kwargs)
        del self.fields["organisation"]
        del self.fields["organisation_other"]
        self.fields["consent_pics"].label = _(
            "The nominee has been given the Personal Information Collection Statement."
        )
        # Opt-ins are the person's own to give (news, SMS): a nominee gives them on their private page.
        del self.fields["news_opt_in"]
        del self.fields["sms_opt_in"]


class UploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("Up to 2 MB and 2 000 rows. Use the template so the columns are right."),
    )
    consent_pics = forms.BooleanField(
        label=_("Every person in the file has been given the Personal Information Collection Statement."),
        required=True,
    )


class RegistrationEditForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Registration
        fields = [
            "name_en",
            "name_zh",
            "phone",
            "organisation",
            "organisation_name",
            "post",
            "service_unit",
            "rsw_number",
            "language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_member_agency=True)


class QuotaForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Quota
        fields = ["organisation", "places"]


class ConsoleAddForm(RegistrationForm):
    """An organiser adds someone by hand (a phone call, a paper form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, organisation_required=False, **kwargs)
        self.fields["consent_pics"].label = _(
            "The person has been given the Personal Information Collection Statement."
        )
        self.fields["news_opt_in"].label = _("The person asked for news of future programmes.")
        self.fields["sms_opt_in"].label = _("The person asked for reminders and messages by SMS too.")
        self.fields["language"] = forms.ChoiceField(
            label=_("Language for emails"), choices=[("en", "English"), ("zh-hant", "繁體中文")]
        )

    def detail_fields(self):
        return [*super().detail_fields(), self["language"]]


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + list(Registration.Status.choices)
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Organisation.objects.none(), empty_label=_("Any")
    )
    session = forms.ModelChoiceField(
        label=_("Session"), required=False, queryset=Session.objects.none(), empty_label=_("Any")
    )
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=[("", _("Any")), *MODE_CHOICES])

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Organisation.objects.filter(is_member_agency=True).order_by(
            "name_en"
        )
        self.fields["agency"].label_from_instance = lambda obj: obj.name
        self.fields["session"].queryset = programme.sessions.all()
        self.fields["session"].label_from_instance = lambda obj: obj.title


class CoordinatorForm(AccessibleFormMixin, forms.Form):
    organisation = AgencyChoiceField(
        label=_("Agency"), queryset=Organisation.objects.filter(is_member_agency=True)
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
