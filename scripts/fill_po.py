"""Fill given msgids of the zh-Hans catalogue from a JSON object {msgid: translation} on stdin.

A message with a context (pgettext) is keyed "context::msgid".
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

PATH = "block_service/locale/zh_Hans/LC_MESSAGES/messages.po"
translations = json.load(sys.stdin)
with open(PATH, "rb") as handle:
    catalogue = read_po(handle, locale="zh_Hans")
for message in catalogue:
    key = message.id[0] if isinstance(message.id, tuple) else message.id
    if message.context:
        key = f"{message.context}::{key}"
    if key in translations:
        message.string = (translations[key],) if isinstance(message.id, tuple) else translations[key]
        message.flags.discard("fuzzy")
with open(PATH, "wb") as handle:
    write_po(handle, catalogue, omit_header=False, sort_output=True, width=120)
missing = [m.id for m in catalogue if m.id and not (m.string[0] if isinstance(m.string, tuple) else m.string)]
print(f"untranslated: {len(missing)}", missing[:10])
