"""The absent value: what a mapping gives for a field it finds nothing for, and what
validation reads for a payload key that is not there.

JSON ``null`` is a value; absent is not, so it needs a sentinel of its own. One sentinel
serves mapping and validation alike, so the code generated for both passes it through
unchanged (a field mapping's result is what the field check reads). It is falsy, and
``repr`` shows ``MISSING``.

:data:`actions_core.definitions.UNSET` is a different idea and stays separate: it marks a
field *declaration* without a default mapping (where ``None`` is a real default), never a
value in an event or payload.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["MISSING"]


class _Missing(enum.Enum):
    MISSING = "MISSING"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing.MISSING
"""An absent value (distinct from JSON ``null``); payload keys that resolve to it are omitted."""
