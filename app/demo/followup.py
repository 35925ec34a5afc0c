"""Follow-up of one beneficiary: sessions with their notes, post-release outcomes.

Sessions fall between intake and today (or the closing of the case); after release
they become phone calls and home visits. About one in ten is a psychologist's
session whose note is psychologist-only, so that the confidentiality rules have
something to hide in a demo.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import accumulate

from app.demo import texts
from app.demo.beneficiaries import Case
from app.demo.records import NOT_VOIDED, Clock, RowBuffer, synced
from passerelle_core.enums import Confidentiality, OutcomeCheckpoint, SessionKind

PSYCHOLOGIST_ONLY_SHARE = 0.10

_SESSION_COUNTS = tuple(range(9))
_SESSION_WEIGHTS = tuple(accumulate((10, 12, 15, 15, 13, 11, 9, 8, 7)))
_KINDS_IN_CUSTODY = (SessionKind.INDIVIDUAL, SessionKind.GROUP_WORKSHOP, SessionKind.FAMILY_VISIT)
_KINDS_IN_CUSTODY_WEIGHTS = tuple(accumulate((65, 20, 15)))
_KINDS_AFTER_RELEASE = (SessionKind.INDIVIDUAL, SessionKind.PHONE, SessionKind.HOME_VISIT)
_KINDS_AFTER_RELEASE_WEIGHTS = tuple(accumulate((40, 35, 25)))
_DURATIONS = {
    SessionKind.INDIVIDUAL: (30, 45, 60, 75),
    SessionKind.GROUP_WORKSHOP: (90, 120),
    SessionKind.FAMILY_VISIT: (45, 60),
    SessionKind.PHONE: (10, 15, 20),
    SessionKind.HOME_VISIT: (60, 90),
}
_CHECKPOINTS = (
    (OutcomeCheckpoint.MONTHS_6, 183, 0.75),
    (OutcomeCheckpoint.MONTHS_12, 365, 0.60),
    (OutcomeCheckpoint.MONTHS_24, 730, 0.45),
)


class FollowUpMaker:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def sessions(self, case: Case, buffer: RowBuffer) -> None:
        clock, rng = self.clock, self.clock.rng
        sessions, notes = buffer.rows["follow_up_session"], buffer.rows["session_note"]
        end = case.last_day or clock.today
        for _ in range(rng.choices(_SESSION_COUNTS, cum_weights=_SESSION_WEIGHTS)[0]):
            day = clock.between(case.intake, end)
            confidential = rng.random() < PSYCHOLOGIST_ONLY_SHARE and bool(case.team.psychologists)
            if confidential:
                kind, staff_id = SessionKind.INDIVIDUAL, rng.choice(case.team.psychologists).id
                topic, body = "Entretien psychologique", rng.choice(texts.PSYCHOLOGIST_NOTES)
            else:
                if case.release is not None and day > case.release:
                    kinds, weights = _KINDS_AFTER_RELEASE, _KINDS_AFTER_RELEASE_WEIGHTS
                else:
                    kinds, weights = _KINDS_IN_CUSTODY, _KINDS_IN_CUSTODY_WEIGHTS
                kind = rng.choices(kinds, cum_weights=weights)[0]
                colleague = rng.random() >= 0.8
                staff_id = rng.choice(case.team.caseworkers).id if colleague else case.staff.id
                topic = rng.choice(texts.SESSION_TOPICS[kind.value])
                body = rng.choice(texts.SESSION_NOTES).format(
                    first=case.first_name, e=case.agreement
                )
            session_id, held_at = clock.new_id(), clock.at(day)
            sessions.append(
                synced(session_id, held_at, None, staff_id)
                | NOT_VOIDED
                | {
                    "beneficiary_id": case.id,
                    "held_on": day,
                    "kind": kind,
                    "duration_minutes": rng.choice(_DURATIONS[kind]),
                    "staff_id": staff_id,
                    "confidentiality": Confidentiality.PSYCHOLOGIST_ONLY
                    if confidential
                    else Confidentiality.STANDARD,
                    "topic": topic,
                }
            )
            notes.append(
                synced(clock.new_id(), held_at, None, staff_id)
                | {
                    "session_id": session_id,
                    "revision": 1,
                    "body": body,
                    "author_id": staff_id,
                    "written_at": held_at,
                }
            )

    def outcomes(self, case: Case, buffer: RowBuffer) -> None:
        """Post-release outcomes at the checkpoints already reached, when known."""
        clock, rng = self.clock, self.clock.rng
        if case.release is None:
            return
        for checkpoint, days, known_share in _CHECKPOINTS:
            due = case.release + timedelta(days=days)
            if due > clock.today:
                break
            if rng.random() >= known_share:
                continue
            recorded = clock.past(due + timedelta(days=rng.randint(0, 45)))
            draw = rng.random()
            reincarcerated: bool | None = None if draw < 0.08 else draw < 0.23
            work: bool | None
            housing: bool | None
            note: str | None
            if reincarcerated:
                work, housing, note = (
                    False,
                    None,
                    f"Réincarcéré{case.agreement} pour une nouvelle affaire.",
                )
            else:
                work = None if rng.random() < 0.1 else rng.random() < 0.45
                housing = None if rng.random() < 0.1 else rng.random() < 0.7
                note = _outcome_note(rng.random(), work, housing)
            buffer.rows["post_release_outcome"].append(
                synced(clock.new_id(), clock.at(recorded), None, case.staff.id)
                | {
                    "beneficiary_id": case.id,
                    "checkpoint": checkpoint,
                    "recorded_on": recorded,
                    "recorded_by_id": case.staff.id,
                    "in_work_or_training": work,
                    "housing_secured": housing,
                    "reincarcerated": reincarcerated,
                    "notes": note,
                }
            )


def _outcome_note(draw: float, work: bool | None, housing: bool | None) -> str | None:
    if draw >= 0.4:
        return None
    if work:
        return texts.OUTCOME_NOTES_IN_WORK[int(draw * 10) % len(texts.OUTCOME_NOTES_IN_WORK)]
    if housing:
        return "Vit chez ses parents."
    if work is None and housing is None:
        return "Sans nouvelles depuis la libération."
    return None
