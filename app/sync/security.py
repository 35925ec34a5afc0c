"""Device security at every sync: server contact, policy, key escrow, token rotation.

Runs last in :func:`app.sync.extras.after_pull` (a rotated token must not be replaced
under the feet of another step). Each step is idempotent and keeps its progress in
``sync_state``, so an interrupted sync simply does the rest next time:

- the server confirmed this device: the unlock guard's contact time is renewed with
  the policy's limits (:meth:`Profile.record_server_contact`);
- the policy is stored for offline use (:mod:`app.sync.policy`);
- the database key is sealed for the administration's recovery public key when that
  key, or the database key (a re-key names a new database file), changed, and only if
  it is the key pinned on this laptop (:mod:`app.sync.recovery_pin`);
- the device token is renewed every ``token_rotation_days``: stored in the same
  transaction as its date, then used once at once so the server forgets the old one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.models import ProfileSetting
from app.models.base import utcnow
from app.services import owner
from app.services.errors import ServiceError
from app.store import writelock
from app.store.escrow import key_id
from app.store.profile import Profile
from app.sync import recovery_pin, state
from app.sync.client import SyncClient
from app.sync.errors import ProtocolError
from app.sync.policy import Policy, policy_in, read_policy, write_policy
from passerelle_core.enums import StaffRole
from passerelle_core.policy import policy_tag
from passerelle_core.security_messages import EscrowReceipt, TokenRotation

POLICY_PATH = "/api/v1/policy"
ESCROW_PATH = "/api/v1/escrow"
ROTATE_PATH = "/api/v1/token/rotate"
ESCROWED_KEY = "escrowed_for"  # "<recovery key id>:<database file>" last escrowed
ESCROW_REFUSED_KEY = "escrow_refused_for"  # a recovery key offered but not pinned here
logger = logging.getLogger(__name__)
TOKEN_ISSUED_KEY = "token_issued_at"
CONTACT_REFRESH = timedelta(minutes=10)
_ACCOUNT = select(ProfileSetting.key, ProfileSetting.value).where(
    ProfileSetting.key.in_((owner.ACCOUNT_ROLE_KEY, owner.ACCOUNT_TEAM_KEY))
)
"""The account's role and team as the profile holds them (``owner.remember_account``)."""
ACCOUNT_KEYS = (owner.ACCOUNT_ROLE_KEY, owner.ACCOUNT_TEAM_KEY)


@dataclass(frozen=True)
class Known:
    """What a sync read at its start and these steps need (issue 23: no reading
    transaction of their own): the sync state (policy, device, escrow and token marks,
    server address) and the account's role and team (``profile_setting``). Nothing of
    it is written by the sync's push or pull."""

    settings: dict[str, str]
    account: dict[str, str]


def refresh(
    profile: Profile, client: SyncClient, now: datetime | None = None, known: Known | None = None
) -> Policy:
    """Every device-security step of one sync; returns the policy now in force.
    ``known``: what the sync read at its start (None: read here)."""
    now = now or utcnow()
    if known is None:
        with writelock.reading(profile.engine).connect() as connection:
            stored = read_policy(connection)
            account = {key: value for key, value in connection.execute(_ACCOUNT)}
    else:
        stored, account = policy_in(known.settings), known.account
    settings = None if known is None else known.settings
    _record_contact(profile, stored, now)
    # The last pull page stated the policy's tag: the same as ours, nothing to fetch.
    unchanged = client.policy_tag is not None and client.policy_tag == policy_tag(stored)
    policy = stored if unchanged else fetch_policy(client) or stored
    if policy != stored:
        with profile.engine.begin() as connection:
            write_policy(connection, policy)
        _record_contact(profile, policy, now)
    _remember_account(profile, policy, account)
    escrow_key(profile, client, policy, settings)
    rotate_token_if_due(profile, client, policy, now, settings)
    return policy


def _remember_account(profile: Profile, policy: Policy, held: dict[str, str]) -> None:
    """The account's role and team, from the server: the laptop acts with these."""
    if policy.account_role is None:
        return
    try:
        role = StaffRole(policy.account_role)
    except ValueError:
        return
    team = policy.account_team_id
    if held == {owner.ACCOUNT_ROLE_KEY: role.value, owner.ACCOUNT_TEAM_KEY: str(team or "")}:
        return  # the usual case: nothing to write, no write lock taken
    with profile.sessions.begin() as session:
        owner.remember_account(session, role, policy.account_team_id)


def fetch_policy(client: SyncClient) -> Policy | None:
    """The server's policy; None from a server that predates it (the stored one holds)."""
    try:
        return client.call("GET", POLICY_PATH, Policy)
    except ProtocolError:
        return None


def _record_contact(profile: Profile, policy: Policy, now: datetime) -> None:
    """Renew the unlock guard; not again within :data:`CONTACT_REFRESH` with the same
    limits (a rewrite of the header and two fsyncs per sync, for minutes of a 30-day
    allowance: the guard only runs out a little earlier, never later)."""
    current = profile.header.guard
    if (
        current is not None
        and current.max_failed_unlocks == policy.max_failed_unlocks
        and current.max_offline_days == policy.max_offline_days
        and timedelta(0) <= now - current.last_contact < CONTACT_REFRESH
    ):
        return
    profile.record_server_contact(
        max_failed_unlocks=policy.max_failed_unlocks,
        max_offline_days=policy.max_offline_days,
        at=now,
    )


def escrow_key(
    profile: Profile, client: SyncClient, policy: Policy, settings: dict[str, str] | None = None
) -> bool:
    """Seal and upload the database key if not done for this recovery key and key yet.
    ``settings``: the sync state as the sync read it (None: read here)."""
    public_key = policy.recovery_public_key
    if not public_key:
        return False
    try:
        trusted = recovery_pin.effective_pin(profile)
    except ServiceError:
        trusted = None  # an unusable installer setting pins nothing
    if trusted is None or key_id(public_key) != trusted:
        # Never escrow to a key this laptop was not told to trust by the administration.
        logger.warning(
            "recovery key %s is not the pinned one: not escrowed", policy.recovery_key_id
        )
        with profile.engine.begin() as connection:
            state.put(connection, ESCROW_REFUSED_KEY, key_id(public_key))
        return False
    if settings is None:
        with writelock.reading(profile.engine).connect() as connection:  # no write lock
            settings = state.read_all(connection)
    device = settings.get(state.DEVICE_ID)
    device_id, done = uuid.UUID(device) if device else None, settings.get(ESCROWED_KEY)
    if device_id is None:
        return False
    sealed = profile.sealed_key(public_key, device_id)
    tag = f"{sealed.key_id}:{profile.header.database}"
    if done == tag:
        return False
    client.call("PUT", ESCROW_PATH, EscrowReceipt, json=sealed.model_dump())
    with profile.engine.begin() as connection:
        state.put(connection, ESCROWED_KEY, tag)
    return True


def rotate_token_if_due(
    profile: Profile,
    client: SyncClient,
    policy: Policy,
    now: datetime,
    settings: dict[str, str] | None = None,
) -> bool:
    """``settings``: the sync state as the sync read it (None: read here)."""
    if settings is None:
        with writelock.reading(profile.engine).connect() as connection:  # no write lock
            settings = state.read_all(connection)
    issued = settings.get(TOKEN_ISSUED_KEY)
    if issued and now - datetime.fromisoformat(issued) < timedelta(days=policy.token_rotation_days):
        return False
    reply = client.call("POST", ROTATE_PATH, TokenRotation)
    with profile.engine.begin() as connection:
        state.put(connection, state.DEVICE_TOKEN, reply.device_token)
        state.put(connection, TOKEN_ISSUED_KEY, now.isoformat())
    # First use of the new token: from now on the server refuses the old one.
    with SyncClient(
        settings[state.SERVER_URL], token=reply.device_token, ca_file=settings.get(state.CA_FILE)
    ) as confirming:
        confirming.call("GET", POLICY_PATH, Policy)
    return True
