from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top of the stack: URL roots, the web server and worker commands, the demo and the benchmarks.

    It imports the domain apps; ``core`` (the kernel) and the domain apps never import it.
    """

    name = "plenary.site"
    label = "site"
    verbose_name = _("Plenary site")
