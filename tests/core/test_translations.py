"""Every interface string has its Traditional Chinese text, and the compiled catalogue is current."""

from pathlib import Path

import polib

import plenary

PO = Path(plenary.__file__).parent / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_into_traditional_chinese():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    source = {
        (entry.msgctxt, entry.msgid): (entry.msgstr or entry.msgstr_plural)
        for entry in catalogue.translated_entries()
    }
    built = {
        (entry.msgctxt, entry.msgid): (entry.msgstr or entry.msgstr_plural)
        for entry in compiled
        if entry.msgid
    }
    assert source == built
