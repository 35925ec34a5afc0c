"""What the frozen read models the screens hold share: copied from a row, field by field.

A read model (``SessionEntry``, ``PlanEntry``...) is a frozen dataclass whose field names
are the row's attribute names; :func:`columns` reads them while the row is still attached,
``given`` supplying the few that are computed (a flag, nested entries, a copied dict).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def columns(cls: type, record: object, **given: Any) -> dict[str, Any]:
    """The keyword arguments of ``cls`` (a dataclass) from ``record``, but those ``given``."""
    return {
        field.name: given[field.name] if field.name in given else getattr(record, field.name)
        for field in fields(cls)
    }
