class AccessibleFormMixin:
    """Marks fields with errors as invalid and points them at their message for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = [f"id_{self.add_prefix(name)}_error"]
                if self.fields[name].help_text:
                    described.append(f"id_{self.add_prefix(name)}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)


class NoHkidMixin:
    """Staff-typed free text refuses a Hong Kong identity card number, with the detector of the
    registration form (``core/privacy.py``: after NFKC normalisation and punctuation folding).

    Every text field of the form is checked except addresses, links, slugs and the fields named in
    ``hkid_exempt`` (a reference looked up, say): what staff type into a title, a description, a
    message or a remark is stored and often published or mailed to hundreds of people.
    """

    hkid_exempt: tuple[str, ...] = ()

    def clean(self):
        from django import forms

        from plenary.core.privacy import STAFF_HKID_MESSAGE, looks_like_hkid

        cleaned = super().clean()
        for name, field in self.fields.items():
            if name in self.hkid_exempt or not isinstance(field, forms.CharField):
                continue
            if isinstance(field, forms.EmailField | forms.URLField | forms.SlugField):
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, str) and looks_like_hkid(value):
                self.add_error(name, STAFF_HKID_MESSAGE)
        return cleaned
