"""Fill the English catalogue: our source strings are English, so each msgstr is its msgid.

Run by ``make messages`` after ``makemessages``; the Spanish catalogue is translated by hand.
"""

import sys
from pathlib import Path

import polib

path = Path(sys.argv[1] if len(sys.argv) > 1 else "locale/en/LC_MESSAGES/django.po")
po = polib.pofile(str(path))
for entry in po:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.save()
