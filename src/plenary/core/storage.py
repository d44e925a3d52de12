from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; before `collectstatic` has run, plain names.

    Falling back keeps tests and a freshly cloned checkout working; `make run` always collects,
    and WhiteNoise then serves the hashed names with far-future cache headers.
    """

    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:
            return self.base_url + name.lstrip("/")
