"""Fill a profile with a realistic, reproducible caseload for demonstrations and benchmarks.

Reproducible: one ``random.Random(seed)`` draws everything, identifiers included, and
every date and timestamp derives from ``today`` (by default the fixed
:data:`DEMO_TODAY`, not the clock), so one seed always produces byte-identical rows.
Pass ``today=date.today()`` for a demo whose overdue actions and upcoming releases are
relative to the real date.

Fast: 50,000 beneficiaries with every related record (about a million rows) are
written with SQLAlchemy Core executemany in batches of :data:`BATCH_BENEFICIARIES`,
inside one transaction, so an interrupted run leaves the profile untouched. ORM
objects would cost several times as much, and nothing here needs their events: demo
rows are not local edits waiting to be synced.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, func, select

from app.demo import texts
from app.demo.agenda import AgendaMaker
from app.demo.assessments import NEEDS_INSTRUMENT, AssessmentMaker, Scorer
from app.demo.beneficiaries import BeneficiaryMaker
from app.demo.followup import FollowUpMaker
from app.demo.organisation import FacilityRef, Organisation, build_organisation, person_name
from app.demo.plans import PlanMaker
from app.demo.records import Clock, RowBuffer, synced
from app.demo.referrals import ReferralMaker
from app.i18n import _
from app.instruments import load_builtin
from app.models import Beneficiary
from app.services.context import Actor
from app.services.errors import ServiceError
from app.services.owner import load_actor
from app.store.profile import Profile
from passerelle_core.enums import DecisionStatus

DEMO_TODAY = date(2026, 11, 1)
"""The default "today" of demo data: fixed, so a seed gives the same rows on any day."""

BATCH_BENEFICIARIES = 1000
CACHE_KIB = 256 * 1024
"""Page cache while generating: random UUID keys touch index pages all over the file."""

MEETINGS_PER_PRISON = 4
MEETINGS_PER_REGIONAL_OFFICE = 2


class DemoError(ServiceError):
    """Demo data refused (it never mixes with a real caseload)."""


@dataclass
class DemoSummary:
    """How many rows the generator wrote, per table (field names are table names)."""

    facility: int = 0
    team: int = 0
    staff_member: int = 0
    partner: int = 0
    partner_contact: int = 0
    partner_service: int = 0
    beneficiary: int = 0
    consent_record: int = 0
    needs_assessment: int = 0
    action_plan: int = 0
    goal: int = 0
    action: int = 0
    follow_up_session: int = 0
    session_note: int = 0
    referral: int = 0
    coordination_meeting: int = 0
    meeting_participant: int = 0
    meeting_decision: int = 0
    post_release_outcome: int = 0
    appointment: int = 0
    quick_note: int = 0

    def add(self, table: str, count: int) -> None:
        setattr(self, table, getattr(self, table) + count)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def __str__(self) -> str:
        """One line for the command line: the caseload and the whole volume."""
        return f"{self.beneficiary} beneficiaries, {self.total} records"


Progress = Callable[[int, int], None]
"""Called with (beneficiaries written, beneficiaries requested) after each batch."""


def fill_profile(
    profile: Profile,
    beneficiaries: int,
    seed: int = 0,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Demo data in ``profile``; the owner, if set up, gets a caseload like a colleague's."""
    owner = load_actor(profile.sessions)
    return generate(profile.engine, beneficiaries, seed, today, owner=owner, progress=progress)


def generate(
    engine: Engine,
    beneficiaries: int,
    seed: int = 0,
    today: date | None = None,
    owner: Actor | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Write a whole demo organisation and ``beneficiaries`` cases in one transaction.

    Raises DemoError when the database already holds beneficiaries.
    """
    if beneficiaries < 0:
        raise ValueError("beneficiaries must be >= 0")
    clock = Clock(random.Random(seed), today or DEMO_TODAY)
    summary = DemoSummary()
    scorer = Scorer(load_builtin(NEEDS_INSTRUMENT))
    with engine.begin() as connection, _large_page_cache(connection):
        if connection.scalar(select(func.count()).select_from(Beneficiary)):
            raise DemoError(_("Demo data can only be added to a profile without beneficiaries."))
        buffer = RowBuffer()
        org = build_organisation(connection, clock, buffer, owner)
        buffer.flush(connection, summary.add)
        people = BeneficiaryMaker(clock, org, beneficiaries)
        assessments = AssessmentMaker(clock, scorer)
        plans = PlanMaker(clock, org)
        referrals = ReferralMaker(clock, org, people)
        follow_up = FollowUpMaker(clock)
        agenda = AgendaMaker(clock)
        for index in range(1, beneficiaries + 1):
            case = people.beneficiary(buffer)
            people.consents(case, buffer)
            completed = [a for a in assessments.make(case, buffer) if a.completed]
            partner_actions = plans.make(case, completed, buffer)
            referrals.make(case, partner_actions, completed, buffer)
            held = len(buffer.rows["follow_up_session"])
            follow_up.sessions(case, buffer)
            agenda.make(case, buffer.rows["follow_up_session"][held:], buffer)
            follow_up.outcomes(case, buffer)
            if index % BATCH_BENEFICIARIES == 0 or index == beneficiaries:
                buffer.flush(connection, summary.add)
                if progress is not None:
                    progress(index, beneficiaries)
        _meetings(clock, org, people.meeting_candidates, buffer)
        buffer.flush(connection, summary.add)
    return summary


@contextlib.contextmanager
def _large_page_cache(connection: Connection) -> Iterator[None]:
    """A large page cache on this connection for the run, restored afterwards."""
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _meetings(
    clock: Clock,
    org: Organisation,
    candidates: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]],
    buffer: RowBuffer,
) -> None:
    """A few coordination meetings per facility over the past year, with decisions on cases."""
    rng = clock.rng
    facilities: list[tuple[FacilityRef, int]] = [(f, MEETINGS_PER_PRISON) for f in org.prisons]
    if org.regional is not None:
        facilities.append((org.regional, MEETINGS_PER_REGIONAL_OFFICE))
    for facility, count in facilities:
        members = [m for team in facility.teams for m in team.members]
        organiser = facility.teams[0].supervisor
        for _index in range(count):
            held = clock.today - timedelta(days=rng.randint(0, 360))
            meeting_id, held_at = clock.new_id(), clock.at(held)
            buffer.rows["coordination_meeting"].append(
                synced(meeting_id, held_at, None, organiser)
                | {
                    "held_on": held,
                    "title": f"{rng.choice(texts.MEETING_TITLES)} – {facility.spec.name}",
                    "facility_id": facility.id,
                    "agenda": texts.MEETING_AGENDA,
                    "minutes": texts.MEETING_MINUTES,
                    "organiser_id": organiser,
                }
            )
            colleagues = rng.sample(members, k=min(len(members), rng.randint(2, 4)))
            for staff in colleagues:
                buffer.rows["meeting_participant"].append(
                    synced(clock.new_id(), held_at, None, organiser)
                    | {
                        "meeting_id": meeting_id,
                        "staff_id": staff.id,
                        "full_name": None,
                        "organisation": None,
                    }
                )
            for position, organisation in rng.sample(texts.OUTSIDE_PARTICIPANTS, rng.randint(1, 2)):
                first, last, _ar1, _ar2 = person_name(clock, rng.random() < 0.3)
                buffer.rows["meeting_participant"].append(
                    synced(clock.new_id(), held_at, None, organiser)
                    | {
                        "meeting_id": meeting_id,
                        "staff_id": None,
                        "full_name": f"{first} {last} ({position})",
                        "organisation": organisation,
                    }
                )
            pool = candidates.get(facility.id) or [
                pair
                for prison in org.prisons
                if prison.city.region == facility.city.region
                for pair in candidates.get(prison.id, [])
            ]
            for _decision in range(rng.randint(2, 4)):
                beneficiary_id: uuid.UUID | None = None
                staff_id = organiser
                if pool:
                    beneficiary_id, staff_id = rng.choice(pool)
                due = held + timedelta(days=rng.randint(14, 60))
                if due < clock.today:
                    weights = (25, 90, 100)
                else:
                    weights = (85, 100, 100)
                status = rng.choices(
                    (DecisionStatus.OPEN, DecisionStatus.DONE, DecisionStatus.CANCELLED),
                    cum_weights=weights,
                )[0]
                buffer.rows["meeting_decision"].append(
                    synced(clock.new_id(), held_at, None, organiser)
                    | {
                        "meeting_id": meeting_id,
                        "beneficiary_id": beneficiary_id,
                        "text": rng.choice(texts.DECISIONS),
                        "responsible_staff_id": staff_id,
                        "due_date": due,
                        "status": status,
                    }
                )
