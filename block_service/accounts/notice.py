"""The version of the privacy notice in force: change it whenever the notice's content changes."""

from __future__ import annotations

import datetime as dt

# Everyone signed in who accepted an older version is asked to accept this one (a banner on every page).
NOTICE_VERSION = "2026-11-29"
NOTICE_DATE = dt.date(2026, 11, 29)
