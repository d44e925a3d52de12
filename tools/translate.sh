#!/usr/bin/env bash
# Refresh the Traditional Chinese catalogue: extract strings, fill them from translations/*.po, compile.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd src/plenary && ../../.venv/bin/plenary makemessages -l zh_Hant --no-obsolete --no-location -v0)
.venv/bin/python tools/fill_translations.py translations/*.po
(cd src/plenary && ../../.venv/bin/plenary compilemessages -v0)
