"""Device states: revoked, wipe (push still accepted), stolen (nothing accepted)."""

from __future__ import annotations

import uuid

from tests.server import factories
from tests.server.harness import RunningServer, change


def test_a_revoked_device_is_refused_everywhere(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    server.set_device_status(laptop.device_id, "revoked")

    for response in (
        laptop.pull_page(0),
        laptop.me(),
        laptop.push_response(change("partner", uuid.uuid4(), factories.partner())),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "device_revoked"
        assert response.json()["wipe"] is False


def test_a_device_told_to_wipe_hands_in_its_work_then_wipes(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    recorded_before_the_order = change("partner", uuid.uuid4(), factories.partner())
    partner_id = uuid.UUID(recorded_before_the_order["record_id"])
    server.set_device_status(laptop.device_id, "wipe")

    [pushed] = laptop.push(recorded_before_the_order)
    assert pushed["status"] == "applied"
    for response in (laptop.pull_page(0), laptop.me()):
        assert response.status_code == 401
        assert response.json()["code"] == "wipe"
        assert response.json()["wipe"] is True
    colleague = server.enrol(server.add_user(team=account.team))
    assert colleague.pull(0).get("partner", partner_id) is not None  # nothing was lost


def test_a_stolen_device_is_told_to_wipe_and_nothing_is_accepted(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    server.set_device_status(laptop.device_id, "stolen")
    partner_id = uuid.uuid4()

    for response in (
        laptop.push_response(change("partner", partner_id, factories.partner())),
        laptop.pull_page(0),
        laptop.me(),
    ):
        assert response.status_code == 401
        assert response.json() == {
            "code": "wipe",
            "message": response.json()["message"],
            "wipe": True,
        }
    observer = server.enrol(server.add_user("admin"))
    assert observer.pull(0).get("partner", partner_id) is None


def test_other_devices_of_the_same_user_keep_working(server: RunningServer) -> None:
    account = server.add_user()
    lost, kept = server.enrol(account, "old laptop"), server.enrol(account, "new laptop")

    server.set_device_status(lost.device_id, "stolen")

    assert kept.pull_page(0).status_code == 200
