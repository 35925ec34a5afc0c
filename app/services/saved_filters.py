"""Caseload filters a staff member saved under a name of their own ("my releases").

Kept in the encrypted profile (a filter's name is typed freely and may say more than
the settings file, which is not encrypted, should hold); never synced: a laptop's own
habit, one list per staff member. The filter itself is stored as the caseload view
writes it (ids and codes); the search text is not part of it.
"""

from __future__ import annotations

import json

from app.i18n import _, ngettext
from app.models import ProfileSetting
from app.services.context import ServiceContext
from app.services.validation import fail

PREFIX = "saved_filters:"
MAX_NAME = 60
MAX_FILTERS = 30

Values = dict[str, str | int | bool | None]


def _key(ctx: ServiceContext) -> str:
    staff_id = ctx.actor.staff_id
    return PREFIX + (staff_id.hex if staff_id is not None else "nobody")


def saved_filters(ctx: ServiceContext) -> dict[str, Values]:
    """The actor's saved filters by name, in the order they were saved."""
    with ctx.reading() as session:
        setting = session.get(ProfileSetting, _key(ctx))
        text = None if setting is None else setting.value
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def save_filter(ctx: ServiceContext, name: str, values: Values) -> str:
    """Save (or replace) the filter under ``name``; returns the name as kept."""
    name = " ".join(name.split())
    if not name:
        fail("name", _("Give the filter a name."))
    if len(name) > MAX_NAME:
        fail(
            "name",
            ngettext(
                "Keep the name under {count} character.",
                "Keep the name under {count} characters.",
                MAX_NAME,
            ).format(count=MAX_NAME),
        )
    kept = saved_filters(ctx)
    if name not in kept and len(kept) >= MAX_FILTERS:
        fail("name", _("Delete a saved filter first: {count} at most.").format(count=MAX_FILTERS))
    kept[name] = values
    _write(ctx, kept)
    return name


def delete_filter(ctx: ServiceContext, name: str) -> None:
    kept = saved_filters(ctx)
    if kept.pop(name, None) is not None:
        _write(ctx, kept)


def _write(ctx: ServiceContext, kept: dict[str, Values]) -> None:
    text = json.dumps(kept, ensure_ascii=False)
    with ctx.transaction() as session:
        setting = session.get(ProfileSetting, _key(ctx))
        if setting is None:
            session.add(ProfileSetting(key=_key(ctx), value=text))
        else:
            setting.value = text
