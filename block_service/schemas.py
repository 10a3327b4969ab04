"""Request shapes shared by every domain."""

from __future__ import annotations

from typing import Annotated

import msgspec

Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]


class ReasonForm(msgspec.Struct, kw_only=True):
    """A step that everyone taking part will read the reason for (a refusal, a decline, a recusal)."""

    reason: Reason
