"""Fill the Traditional Chinese catalogue from PO fragments, then report what is still missing.

Usage: python tools/fill_translations.py FRAGMENT.po [...]
Run `plenary makemessages -l zh_Hant --no-obsolete` (in src/plenary) first, and `compilemessages` after.
"""

import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "src/plenary/locale/zh_Hant/LC_MESSAGES/django.po"


def main(fragments: list[str]) -> int:
    known: dict[tuple[str | None, str], polib.POEntry] = {}
    for fragment in fragments:
        for entry in polib.pofile(fragment):
            if entry.msgstr or any(entry.msgstr_plural.values()):
                known[(entry.msgctxt, entry.msgid)] = entry
    catalogue = polib.pofile(str(CATALOGUE))
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Language"] = "zh_Hant"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.metadata["Project-Id-Version"] = "Plenary"
    catalogue.metadata["Language-Team"] = "Plenary <zh-hant@plenary.invalid>"
    catalogue.metadata["Last-Translator"] = "Plenary team <zh-hant@plenary.invalid>"
    catalogue.metadata["PO-Revision-Date"] = catalogue.metadata.get("POT-Creation-Date", "")
    missing = []
    for entry in catalogue:
        source = known.get((entry.msgctxt, entry.msgid))
        if source is not None:
            if entry.msgid_plural:
                text = source.msgstr_plural.get(0) or source.msgstr_plural.get("0") or source.msgstr
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = source.msgstr or source.msgstr_plural.get(0, "")
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not (entry.msgstr or any(entry.msgstr_plural.values())) or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    catalogue.save()
    for msgid in missing:
        print(f"missing: {msgid!r}")
    print(f"{len(catalogue) - len(missing)} translated, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
