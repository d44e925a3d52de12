from __future__ import annotations

import string

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from plenary.certificates.models import CertificateRule, OrganiserLogo, Signatory
from plenary.certificates.pdf import ALLOWED_PLACEHOLDERS
from plenary.core.forms import AccessibleFormMixin, NoHkidMixin


def check_placeholders(text: str) -> str:
    """Only the documented ``{names}``, without conversions or formats: nothing else reaches the PDF."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as error:
        raise forms.ValidationError(
            _("Braces must come in pairs: {placeholder}. Write {{ or }} for a brace itself.")
        ) from error
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in ALLOWED_PLACEHOLDERS or spec or conversion:
            raise forms.ValidationError(
                _("Unknown placeholder {%(name)s}. Use one of: %(allowed)s.")
                % {
                    "name": name,
                    "allowed": ", ".join("{" + item + "}" for item in sorted(ALLOWED_PLACEHOLDERS)),
                }
            )
    return text


class RuleForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CertificateRule
        fields = [
            "mode",
            "min_sessions",
            "min_percent",
            "hours_method",
            "cpd_category",
            "cpd_category_zh",
            "heading_en",
            "heading_zh",
            "intro_en",
            "intro_zh",
            "statement_en",
            "statement_zh",
            "footer_en",
            "footer_zh",
            "show_logos",
        ]
        widgets = {
            "statement_en": forms.Textarea(attrs={"rows": 3}),
            "statement_zh": forms.Textarea(attrs={"rows": 3, "lang": "zh-Hant"}),
            "heading_zh": forms.TextInput(attrs={"lang": "zh-Hant"}),
            "cpd_category_zh": forms.TextInput(attrs={"lang": "zh-Hant"}),
            "intro_zh": forms.TextInput(attrs={"lang": "zh-Hant"}),
            "footer_zh": forms.TextInput(attrs={"lang": "zh-Hant"}),
        }

    def __init__(self, *args, counting_sessions: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.counting_sessions = counting_sessions

    def clean_statement_en(self):
        return check_placeholders(self.cleaned_data["statement_en"])

    def clean_statement_zh(self):
        return check_placeholders(self.cleaned_data["statement_zh"])

    def clean(self):
        data = super().clean()
        needed = data.get("min_sessions")
        if data.get("mode") == CertificateRule.Mode.SESSIONS and needed and needed > self.counting_sessions:
            self.add_error(
                "min_sessions",
                _("Only %(count)s sessions count towards the certificate.")
                % {"count": self.counting_sessions},
            )
        return data


class SignatoryForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["order", "name_en", "name_zh", "post_en", "post_zh", "signature"]


class LogoForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = OrganiserLogo
        fields = ["order", "description", "image"]


SignatoryFormSet = inlineformset_factory(
    CertificateRule, Signatory, form=SignatoryForm, extra=1, max_num=4, validate_max=True, can_delete=True
)
LogoFormSet = inlineformset_factory(
    CertificateRule, OrganiserLogo, form=LogoForm, extra=1, max_num=4, validate_max=True, can_delete=True
)


class RevokeForm(NoHkidMixin, AccessibleFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
