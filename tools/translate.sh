#!/usr/bin/env bash
# Refresh the Traditional Chinese catalogue: extract strings, fill new ones from PO fragments given as
# arguments (a helper's or a translator's translations), report what is still missing, compile.
#   tools/translate.sh [fragment.po ...]
set -euo pipefail
cd "$(dirname "$0")/.."
(cd src/plenary && ../../.venv/bin/plenary makemessages -l zh_Hant --no-obsolete --no-location -v0)
.venv/bin/python tools/fill_translations.py "$@"
(cd src/plenary && ../../.venv/bin/plenary compilemessages -v0)
