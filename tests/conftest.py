"""Fixtures that build real encrypted profiles quickly (cheap KDF, real SQLCipher)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.i18n import set_language
from app.models import StaffMember
from app.services import owner
from app.services.context import Actor, ServiceContext
from app.store.keys import KdfParams
from app.store.profile import Profile
from passerelle_core.enums import StaffRole

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def _english_messages() -> None:
    """Tests assert on message ids; each test starts in English."""
    set_language("en")


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.fast_for_tests()


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def profile(profile_dir: Path, fast_kdf: KdfParams) -> Iterator[Profile]:
    opened = Profile.create(profile_dir, PASSPHRASE, fast_kdf)
    yield opened
    opened.close()


@pytest.fixture
def ctx(profile: Profile) -> ServiceContext:
    """Acting as the profile's owner, a social worker of a prison team."""
    owner.setup_owner(
        profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    return owner.owner_context(profile.sessions)


@pytest.fixture
def colleague(profile: Profile, ctx: ServiceContext) -> Callable[[StaffRole], ServiceContext]:
    """A context acting as another staff member of the owner's team, with the given role."""

    def make(role: StaffRole, full_name: str | None = None) -> ServiceContext:
        with profile.sessions.begin() as session:
            staff = StaffMember(
                full_name=full_name or f"Colleague {role.value}",
                role=role,
                team_id=ctx.actor.team_id,
            )
            session.add(staff)
            session.flush()
            actor = Actor(staff.id, role, ctx.actor.team_id)
        return ServiceContext(profile.sessions, actor, today=ctx.today)

    return make
