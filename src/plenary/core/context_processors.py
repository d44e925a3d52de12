from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def site(request):
    """The language switch: this same page in each of the other languages."""
    current = get_language()
    path = request.get_full_path()
    alternates = [
        {"code": code, "name": name, "url": translate_url(path, code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {
        "language_alternates": alternates,
        "html_lang": "zh-Hant-HK" if current and current.startswith("zh") else "en",
    }
