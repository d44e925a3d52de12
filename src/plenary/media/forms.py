from django import forms
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin
from plenary.core.privacy import HKID_MESSAGE, looks_like_hkid
from plenary.media.models import Photo, RemovalRequest


class PhotoForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["caption_en", "caption_zh", "photographer", "order", "published", "people_consent"]
        widgets = {"caption_zh": forms.TextInput(attrs={"lang": "zh-Hant"})}

    def clean(self):
        data = super().clean()
        if data.get("published") and not data.get("people_consent"):
            self.add_error(
                "published",
                _("A photo can be published only when the people shown have agreed (tick the box below)."),
            )
        return data


PhotoFormSet = forms.modelformset_factory(Photo, form=PhotoForm, extra=0)


class RemovalRequestForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = RemovalRequest
        fields = ["name", "email", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        for name in ("name", "reason"):
            if looks_like_hkid(cleaned.get(name) or ""):
                self.add_error(name, HKID_MESSAGE)
        return cleaned
