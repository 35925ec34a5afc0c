"""Enrolling laptops and recognising them: bearer tokens stored only as SHA-256 hashes.

Device states (docs/sync-protocol.md): ``active``; ``revoked`` (401
``device_revoked``); ``wipe`` (may still push what it recorded before the order, once,
within ``final_push_hours``; anything else answers ``wipe``); ``stolen`` (``wipe``
everywhere, nothing accepted).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import BindParameter, bindparam, or_, select, update
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.protocol import EnrolRequest, EnrolResponse, RecordState, UserInfo
from server.core.db import first_read, read_transaction, single_write, write_transaction
from server.core.tables import Device, Record, ServerUser
from server.services import throttle
from server.services.accounts import normalise_username, user_info
from server.services.errors import AuthError, ServiceError
from server.services.passwords import Passwords
from server.services.scope import Viewer
from server.services.sequence import committed_high_water
from server.services.wire import uuid_or_none

STATUSES = ("active", "revoked", "wipe", "stolen")
ERASING = frozenset({"wipe", "stolen"})


@dataclass(frozen=True)
class Caller:
    """The device making a request and its user, detached from any session."""

    device_id: uuid.UUID
    device_name: str
    device_status: str
    user: UserInfo
    # The device's pull cursors as read when the request was authenticated (see
    # server.services.epoch): a pull with nothing new reads them no second time.
    served_cursor: int | None = None
    applied_cursor: int | None = None

    @property
    def user_id(self) -> uuid.UUID:
        return self.user.staff_id

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.user.staff_id, self.user.role, self.user.team_id)


_PRESENTED: BindParameter[str] = bindparam("presented")
_CALLER_QUERY = (
    select(
        Device.id.label("device_id"),
        Device.name.label("device_name"),
        Device.status,
        Device.last_seen_at,
        Device.wipe_ordered_at,
        Device.token_hash,
        Device.previous_token_hash,
        Device.served_cursor,
        Device.applied_cursor,
        ServerUser.id.label("user_id"),
        ServerUser.username,
        ServerUser.full_name,
        ServerUser.role,
        ServerUser.team_id,
        ServerUser.facility_id,
        ServerUser.disabled,
    )
    .join(ServerUser, ServerUser.id == Device.user_id)
    .where(or_(Device.token_hash == _PRESENTED, Device.previous_token_hash == _PRESENTED))
)
"""Built once: the caller behind a token hash, current or previous."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def enrol(
    session: Session,
    request: EnrolRequest,
    address: str,
    policy: throttle.ThrottlePolicy,
    passwords: Passwords,
) -> EnrolResponse:
    username = normalise_username(request.username)
    with write_transaction(session):  # the attempt is counted before it is checked
        wait = throttle.begin_attempt(session, policy, username, address)
        user = session.scalar(select(ServerUser).where(ServerUser.username == username))
    if wait is not None:
        raise AuthError("too many failed logins: try again later", "throttled", retry_after=wait)
    # Outside any transaction: Argon2 is slow on purpose and must not hold locks.
    ok = passwords.verify(user.password_hash if user else None, request.password)
    token = secrets.token_urlsafe(32)
    device_id = uuid.uuid4()
    with write_transaction(session):
        throttle.end_attempt(session, policy, username, address, ok=ok and user is not None)
        if ok and user is not None:
            if not user.disabled:
                session.add(
                    Device(
                        id=device_id,
                        user_id=user.id,
                        name=request.device_name,
                        token_hash=hash_token(token),
                        status="active",
                    )
                )
                if passwords.needs_rehash(user.password_hash):
                    session.execute(
                        update(ServerUser)
                        .where(ServerUser.id == user.id)
                        .values(password_hash=passwords.hash(request.password))
                    )
        _high, server_id = committed_high_water(session)
        organisation = own_organisation(session, user) if ok and user is not None else []
    if not ok or user is None:
        raise AuthError("wrong username or password", "bad_credentials")
    if user.disabled:
        raise AuthError("this account is disabled", "account_disabled")
    return EnrolResponse(
        server_id=server_id,
        device_id=device_id,
        device_token=token,
        user=user_info(user),
        organisation=organisation,
    )


def own_organisation(session: Session, user: ServerUser) -> list[RecordState]:
    """The user's facility, team and staff record, parents first, as a pull gives them.

    A laptop writes them at enrolment, so a case registered before the first sync
    already names the user's team (docs/sync-protocol.md "Placement").
    """
    team = session.get(Record, ("team", user.team_id)) if user.team_id else None
    facilities = {user.facility_id, uuid_or_none(team.data.get("facility_id")) if team else None}
    wanted: list[tuple[str, uuid.UUID | None]] = [
        ("facility", facility) for facility in facilities if facility is not None
    ]
    wanted += [("team", user.team_id), ("staff_member", user.id)]
    states = []
    for record_type, record_id in wanted:
        record = session.get(Record, (record_type, record_id)) if record_id else None
        if record is not None and not record.deleted:
            states.append(
                RecordState(
                    seq=record.seq,
                    record_type=record_type,
                    record_id=record.record_id,
                    version=record.version,
                    deleted=False,
                    data=record.data,
                )
            )
    return states


def authenticate(
    session: Session,
    token: str,
    *,
    pushing: bool,
    last_seen_interval: int,
    final_push_hours: int = 72,
) -> Caller:
    """The caller behind a bearer token, or AuthError with the code the device must obey."""
    now = utcnow()
    presented = hash_token(token)
    # Plain columns, not ORM objects: every request of every laptop comes here, and
    # first (one statement, no transaction around it on PostgreSQL: server.core.db).
    row = first_read(session, _CALLER_QUERY, {"presented": presented})
    if row is None:
        raise AuthError("unknown device token", "bad_credentials")
    caller = Caller(
        row.device_id,
        row.device_name,
        row.status,
        UserInfo(
            staff_id=row.user_id,
            username=row.username,
            full_name=row.full_name,
            role=row.role,
            team_id=row.team_id,
            facility_id=row.facility_id,
        ),
        row.served_cursor,
        row.applied_cursor,
    )
    disabled = row.disabled
    last_seen = row.last_seen_at
    ordered = row.wipe_ordered_at
    # The new token of a rotation is in use: the one it replaced is no longer valid.
    forget_previous = row.previous_token_hash is not None and row.token_hash == presented
    if (
        forget_previous
        or last_seen is None
        or now - last_seen >= timedelta(seconds=last_seen_interval)
    ):
        values: dict[str, object] = {"last_seen_at": now}
        if forget_previous:
            values["previous_token_hash"] = None
        # One statement by itself (autocommit on PostgreSQL: server.core.db.single_write).
        single_write(
            session, update(Device).where(Device.id == caller.device_id).values(**values), {}
        )
    _check_status(caller.device_status, disabled, pushing=pushing)
    if caller.device_status == "wipe" and (
        ordered is None or now - ordered > timedelta(hours=final_push_hours)
    ):
        raise AuthError("this device must erase its data", "wipe")  # its last chance passed
    return caller


def _check_status(status: str, disabled: bool, *, pushing: bool) -> None:
    if status == "revoked":
        raise AuthError("this device was revoked: enrol it again", "device_revoked")
    if status == "stolen" or (status == "wipe" and not pushing):
        raise AuthError("this device must erase its data", "wipe")
    # A device told to wipe may still hand in its pending work, even for a disabled account.
    if disabled and status != "wipe":
        raise AuthError("this account is disabled", "account_disabled")
    if status not in STATUSES:
        raise AuthError("this device is not active", "device_revoked")


def list_devices(session: Session) -> list[tuple[Device, str]]:
    """Every device with its user's username, newest first."""
    with read_transaction(session):
        rows = session.execute(
            select(Device, ServerUser.username)
            .join(ServerUser, ServerUser.id == Device.user_id)
            .order_by(Device.created_at.desc())
        ).all()
        return [(device, username) for device, username in rows]


def set_device_status(session: Session, device_id: str, status: str) -> None:
    if status not in STATUSES:
        raise ServiceError(f"unknown device status {status!r}")
    try:
        key = uuid.UUID(device_id)
    except ValueError:
        raise ServiceError(f"{device_id!r} is not a device id") from None
    with write_transaction(session):
        device = session.get(Device, key)
        if device is None:
            raise ServiceError(f"no device {device_id}", "not_found")
        if status in ERASING and device.wipe_ordered_at is None:
            device.wipe_ordered_at = utcnow()  # what is recorded later is never accepted
        elif status not in ERASING:
            device.wipe_ordered_at = device.final_push_at = None
        device.status = status
