from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plenary.core.forms import AccessibleFormMixin, NoHkidMixin
from plenary.engagement.models import REFLECTION_MAX_CHARS, Question


def _reflection_help() -> str:
    # Formatted when shown, in the reader's language (a lazy text formatted here would be English forever).
    return gettext("Plain text in English or Chinese, up to %(limit)s characters.") % {
        "limit": REFLECTION_MAX_CHARS
    }


class ReflectionForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your reflection"),
        max_length=REFLECTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": REFLECTION_MAX_CHARS}),
        help_text=lazy(_reflection_help, str)(),
    )
    allow_publication = forms.BooleanField(
        label=_("The organisers may publish my reflection, with my name and agency, on the programme page."),
        required=False,
    )


RATING_CHOICES = [
    (5, _("5 – excellent")),
    (4, _("4 – good")),
    (3, _("3 – fair")),
    (2, _("2 – poor")),
    (1, _("1 – very poor")),
]


class SurveyForm(AccessibleFormMixin, forms.Form):
    """One field per question: ``q<id>``, a 1–5 choice or a free-text comment."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.is_rating:
                field = forms.TypedChoiceField(
                    label=question.text,
                    choices=RATING_CHOICES,
                    coerce=int,
                    required=question.required,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=REFLECTION_MAX_CHARS,
                    widget=forms.Textarea(attrs={"rows": 5, "maxlength": REFLECTION_MAX_CHARS}),
                )
            field.question = question
            self.fields[f"q{question.pk}"] = field

    def answers(self) -> dict[int, object]:
        return {question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions}


class QuestionForm(NoHkidMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ["order", "kind", "text_en", "text_zh", "required"]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        # Answers already given are ratings or texts: changing the kind would make them meaningless.
        if self.instance.pk and kind != self.instance.kind and self.instance.answers.exists():
            raise forms.ValidationError(_("This question has answers, so its kind can no longer change."))
        return kind


QuestionFormSet = forms.modelformset_factory(Question, form=QuestionForm, extra=1, can_delete=True)


class ReflectionFilterForm(forms.Form):
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, sessions, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("All sessions"))] + [(s.pk, s.title) for s in sessions]
        self.fields["agency"].choices = [("", _("All agencies"))] + [(a.pk, a.name) for a in agencies]
