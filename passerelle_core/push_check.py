"""The checked push: the restore check made by the push itself (issue 23, many laptops).

Before sending changes, a laptop must know the server did not go back in time (a
restore from an older copy: docs/sync-protocol.md, "Asked before pushing"). It used to
ask with a pull of one record, a request of its own at every sync that had changes.
``POST /api/v1/push/checked?cursor=N&server_id=S`` asks in the push: the server merges
nothing and answers 409 with :data:`EPOCH_HEADER` saying why when its database is not
``S`` (``replaced``) or is older than cursor ``N`` (``restored``).

A new path, not a parameter of ``/push``: an older server ignores parameters it does
not know and would merge the changes unchecked; it answers 404 to a path it does not
know, and the laptop then asks the old way.
"""

from __future__ import annotations

CHECKED_PUSH_PATH = "/api/v1/push/checked"
EPOCH_HEADER = "X-Passerelle-Epoch"
RESTORED = "restored"  # older than what the laptop has seen: it sends everything again
REPLACED = "replaced"  # another database: the laptop stops and asks for re-enrolment
