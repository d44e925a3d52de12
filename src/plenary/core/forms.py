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
