from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin, NoHkidMixin
from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker, Venue


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A datetime-local input; the view activates the programme's time zone, so values are local to it."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ProgrammeForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "slug",
            "title_en",
            "title_zh",
            "summary_en",
            "summary_zh",
            "starts_on",
            "ends_on",
            "time_zone",
            "status",
            "registration_open",
            "registration_closes_at",
            "requires_approval",
            "attendance_threshold_percent",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "registration_closes_at": DateTimeInput(),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "summary_zh": forms.Textarea(attrs={"rows": 4}),
        }


class NewProgrammeForm(ProgrammeForm):
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Lead organiser"),
        help_text=_("Your body, which will lead this programme."),
    )

    class Meta(ProgrammeForm.Meta):
        fields = ["lead_organisation", *ProgrammeForm.Meta.fields]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class SessionForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "kind",
            "mode",
            "title_en",
            "title_zh",
            "description_en",
            "description_zh",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "stream_url",
            "online_capacity",
            "cpd_hours",
            "counts_towards_certificate",
            "speakers",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_zh": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, programme, **kwargs):
        from plenary.access.rules import programme_venues

        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["speakers"].queryset = programme.speakers.all()
        # The venues of the programme's co-organising bodies (and the one it has, whoever owns it).
        venues = programme_venues(programme)
        if self.instance.venue_id:
            venues = venues | Venue.objects.filter(pk=self.instance.venue_id)
        self.fields["venue"].queryset = venues.distinct()


class SpeakerForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Speaker
        fields = [
            "honorific",
            "name_en",
            "name_zh",
            "post_en",
            "post_zh",
            "organisation",
            "is_official",
            "email",
        ]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme


class VenueForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["owner", "name_en", "name_zh", "address_en", "address_zh", "capacity"]

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        # A venue belongs to one of the organiser's own bodies; once it has one, it stays with it.
        if self.instance.pk and self.instance.owner_id:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = owners
            self.fields["owner"].required = True
            self.fields["owner"].empty_label = None


class CoOrganiserForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CoOrganiser
        fields = ["organisation", "role", "order"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        taken = programme.co_organisers.exclude(pk=self.instance.pk).values("organisation")
        self.fields["organisation"].queryset = Organisation.objects.exclude(pk__in=taken)


class AgendaItemForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["order", "kind", "title_en", "title_zh", "speaker", "language", "duration_minutes"]

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.session = session
        self.fields["speaker"].queryset = session.programme.speakers.all()
