from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin, NoHkidMixin
from plenary.publicity.models import PressRelease


class PhotoChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, photo):
        return f"{photo.session.title} · {photo.caption or photo.original_name}"


class ReleaseForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    """The release's text in both languages, its photos, and the remarks of each official."""

    photos = PhotoChoice(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Photos"),
        help_text=_("Published photos of the programme. Composing again adds their captions to the text."),
    )

    class Meta:
        model = PressRelease
        fields = ["title_en", "title_zh", "body_en", "body_zh"]
        widgets = {
            "title_en": forms.Textarea(attrs={"rows": 2}),
            "title_zh": forms.Textarea(attrs={"rows": 2, "lang": "zh-Hant"}),
            "body_en": forms.Textarea(attrs={"rows": 18}),
            "body_zh": forms.Textarea(attrs={"rows": 18, "lang": "zh-Hant"}),
        }
        help_texts = {"body_en": _("A blank line separates paragraphs.")}

    def __init__(self, *args, photos, speakers, remarks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].queryset = photos
        self.fields["photos"].initial = [photo.pk for photo in self.instance.ordered_photos()]
        self.speakers = list(speakers)
        for speaker in self.speakers:
            remark = remarks.get(speaker.pk)
            for language, label, attrs in (
                ("en", _("Remarks of %(name)s (English)"), {"rows": 4}),
                ("zh", _("Remarks of %(name)s (Chinese)"), {"rows": 4, "lang": "zh-Hant"}),
            ):
                self.fields[f"remark_{speaker.pk}_{language}"] = forms.CharField(
                    label=label % {"name": speaker.display_name},
                    required=False,
                    widget=forms.Textarea(attrs=attrs),
                    initial=getattr(remark, f"text_{language}", "") if remark else "",
                )

    def remarks(self):
        return [
            (
                speaker,
                self.cleaned_data.get(f"remark_{speaker.pk}_en", ""),
                self.cleaned_data.get(f"remark_{speaker.pk}_zh", ""),
            )
            for speaker in self.speakers
        ]
