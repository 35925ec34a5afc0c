"""One demo beneficiary: identity, custody timeline, assignment and consents.

The timeline is drawn first (birth, intake, release, closing) and every later record
is dated inside it: no session before intake, no post-release outcome before release,
no closed case still receiving visits. Proportions follow a plausible caseload: about 8% women, most
people under 35, a fifth already released, some releases due within 30 or 90 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from app.demo import names, places
from app.demo.organisation import (
    FacilityRef,
    Organisation,
    StaffRef,
    TeamRef,
    mobile_phone,
    person_name,
)
from app.demo.records import Clock, Row, RowBuffer, synced
from app.demo.reregistrations import Identity, Reregistrations
from passerelle_core.enums import (
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    LegalStatus,
    Sex,
)

FEMALE_SHARE = 0.08
ASSESSMENT_CONSENT_SHARE = 0.95
STATISTICS_CONSENT_SHARE = 0.85
MEETING_CANDIDATES_PER_FACILITY = 40
OWNER_MIN_CASELOAD = 20

_STATUSES = (
    LegalStatus.PRE_TRIAL,
    LegalStatus.SENTENCED,
    LegalStatus.CONDITIONAL_RELEASE,
    LegalStatus.RELEASED,
)
_STATUS_WEIGHTS = tuple(accumulate((22, 50, 5, 23)))
_AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 69))
_AGE_WEIGHTS = tuple(accumulate((28, 35, 20, 10, 7)))
_RELATIVES_OF_MEN = tuple(r for r in names.RELATIVES if r[0] != "Époux")
_RELATIVES_OF_WOMEN = tuple(r for r in names.RELATIVES if r[0] != "Épouse")


@dataclass
class Case:
    """What later records of one beneficiary need to know about them."""

    id: uuid.UUID
    female: bool
    first_name: str
    birth: date
    intake: date
    release: date | None
    expected_release: date | None
    closed_on: date | None
    facility: FacilityRef
    team: TeamRef
    staff: StaffRef
    city: str
    assessment_consent: date | None = None
    shared_with: set[uuid.UUID] = field(default_factory=set)

    @property
    def last_day(self) -> date | None:
        """The last day work can be recorded on the case (its closing day), if closed."""
        return self.closed_on

    @property
    def agreement(self) -> str:
        """The feminine ending of French participles in notes about this person."""
        return "e" if self.female else ""


class BeneficiaryMaker:
    def __init__(self, clock: Clock, organisation: Organisation, total: int) -> None:
        self.clock = clock
        self.org = organisation
        self._facility_weights = tuple(accumulate(f.spec.weight for f in organisation.prisons))
        caseworkers = sum(len(t.caseworkers) for f in organisation.prisons for t in f.teams)
        # The owner carries a caseload like any colleague's, and enough of one to demo.
        fair_share = max(1 / (caseworkers + 1), min(1.0, OWNER_MIN_CASELOAD / max(total, 1)))
        self._owner_share = fair_share if organisation.owner else 0.0
        self._cins: set[str] = set()
        self._again = Reregistrations(clock.rng)
        self.meeting_candidates: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]] = {}

    # -- the person ------------------------------------------------------------------

    def beneficiary(self, buffer: RowBuffer) -> Case:
        clock, rng, today = self.clock, self.clock.rng, self.clock.today
        female = rng.random() < FEMALE_SHARE
        first, last, first_ar, last_ar = person_name(clock, female)
        status = rng.choices(_STATUSES, cum_weights=_STATUS_WEIGHTS)[0]
        young, old = rng.choices(_AGE_BANDS, cum_weights=_AGE_WEIGHTS)[0]
        if status in (LegalStatus.RELEASED, LegalStatus.CONDITIONAL_RELEASE):
            young = max(young, 22)  # room for an adult custody before the release
        birth = today - timedelta(days=rng.randint(young * 366, old * 365 + 364))
        again = self._again.again(female)
        if again is None:
            self._again.remember(female, Identity(last, first, last_ar, first_ar, birth))
        else:
            last, first = again.last_name, again.first_name
            last_ar, first_ar = again.last_name_ar or "", again.first_name_ar or ""
            birth = again.birth_date
        intake, release, expected = self._timeline(status)
        intake = min(max(intake, _years_after(birth, 18)), today)
        closed_on = None
        if status is LegalStatus.RELEASED and release is not None:
            closing_share = 0.6 if (today - release).days > 730 else 0.15
            if rng.random() < closing_share:
                closed_on = clock.past(release + timedelta(days=rng.randint(60, 700)))

        facility = rng.choices(self.org.prisons, cum_weights=self._facility_weights)[0]
        team, staff = self._assignment(facility, status)
        if staff is self.org.owner and self.org.owner_facility is not None:
            facility = self.org.owner_facility
        city = facility.spec.city if rng.random() < 0.8 else rng.choice(list(places.CITIES))
        facility.registration_counter += 1
        registration = f"{facility.spec.code}/{intake.year}/{facility.registration_counter:05d}"
        case = Case(
            id=clock.new_id(),
            female=female,
            first_name=first,
            birth=birth,
            intake=intake,
            release=release,
            expected_release=expected,
            closed_on=closed_on,
            facility=facility,
            team=team,
            staff=staff,
            city=city,
        )
        released = release is not None
        last_event = max(d for d in (intake, release, closed_on) if d is not None)
        buffer.rows["beneficiary"].append(
            synced(
                case.id,
                clock.at(intake),
                clock.at(last_event),
                staff.id,
                1 + released + (closed_on is not None),
            )
            | {
                "last_name": last,
                "first_name": first,
                "last_name_ar": last_ar or None,  # a re-registration may lack it
                "first_name_ar": first_ar or None,
                "cin": self._cin_of(reregistered=again is not None),
                "birth_date": birth,
                "registration_number": registration,
                "sex": Sex.FEMALE if female else Sex.MALE,
                "facility_id": facility.id,
                "legal_status": status,
                "expected_release_date": expected,
                "actual_release_date": release,
                "phone": mobile_phone(clock) if released and rng.random() < 0.75 else None,
                "address": self._address(city) if rng.random() < 0.85 else None,
                **self._contact(female, last),
                "assigned_staff_id": staff.id,
                "team_id": team.id,
                "intake_date": intake,
                "case_status": CaseStatus.CLOSED if closed_on else CaseStatus.OPEN,
                "closed_on": closed_on,
                "anonymised_on": None,  # demo cases are never past their retention period
                "merged_into_id": None,
            }
        )
        if closed_on is None:
            candidates = self.meeting_candidates.setdefault(facility.id, [])
            if len(candidates) < MEETING_CANDIDATES_PER_FACILITY:
                candidates.append((case.id, staff.id))
        return case

    def _timeline(self, status: LegalStatus) -> tuple[date, date | None, date | None]:
        """(intake, actual release, expected release) for a legal status."""
        rng, today = self.clock.rng, self.clock.today
        release: date | None = None
        expected: date | None = None
        if status is LegalStatus.PRE_TRIAL:
            intake = today - timedelta(days=rng.randint(3, 540))
            if rng.random() < 0.4:
                expected = today + timedelta(days=rng.randint(30, 900))
        elif status is LegalStatus.SENTENCED:
            intake = today - timedelta(days=rng.randint(3, 4 * 365))
            expected = today + timedelta(days=self._remaining_days())
        elif status is LegalStatus.CONDITIONAL_RELEASE:
            release = today - timedelta(days=rng.randint(7, 365))
            intake = release - timedelta(days=rng.randint(180, 4 * 365))
            expected = release + timedelta(days=rng.randint(180, 3 * 365))
        else:
            release = today - timedelta(days=rng.randint(1, 3 * 365))
            intake = release - timedelta(days=rng.randint(60, 4 * 365))
            pardoned = rng.random() < 0.2  # released early (remission, royal pardon)
            expected = release + timedelta(days=rng.randint(30, 400)) if pardoned else release
        return intake, release, expected

    def _remaining_days(self) -> int:
        """Days of sentence left: some releases fall within 30 and 90 days."""
        draw = self.clock.rng.random()
        if draw < 0.08:
            return self.clock.rng.randint(1, 30)
        if draw < 0.20:
            return self.clock.rng.randint(31, 90)
        if draw < 0.50:
            return self.clock.rng.randint(91, 365)
        return self.clock.rng.randint(366, 8 * 365)

    def _assignment(self, facility: FacilityRef, status: LegalStatus) -> tuple[TeamRef, StaffRef]:
        rng, org = self.clock.rng, self.org
        if rng.random() < self._owner_share and org.owner and org.owner_team:
            return org.owner_team, org.owner
        team = rng.choice(facility.teams)
        regional = org.regional
        if (
            status is LegalStatus.RELEASED
            and regional is not None
            and regional.city.region == facility.city.region
            and rng.random() < 0.4
        ):
            team = rng.choice(regional.teams)  # followed after release by the regional cell
        return team, rng.choice(team.caseworkers)

    def _cin_of(self, *, reregistered: bool) -> str | None:
        """A CIN drawn in any case (later draws stay the same); none for a re-registration."""
        cin = self._cin()
        return None if reregistered else cin

    def _cin(self) -> str | None:
        """A unique CIN; about 4% of people have none (lost or never issued)."""
        rng = self.clock.rng
        if rng.random() < 0.04:
            return None
        while True:
            prefix = rng.choice(names.CIN_PREFIXES)
            digits = rng.choice((5, 6, 6)) if len(prefix) == 2 else 6
            cin = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
            if cin not in self._cins:
                self._cins.add(cin)
                return cin

    def _address(self, city_name: str) -> str:
        rng, city = self.clock.rng, places.CITIES[city_name]
        street = f"{rng.choice(places.STREETS)} {rng.randint(1, 60)}"
        return f"{street} n° {rng.randint(1, 140)}, {rng.choice(city.neighbourhoods)}, {city.name}"

    def _contact(self, female: bool, last_name: str) -> dict[str, str | None]:
        rng = self.clock.rng
        if rng.random() >= 0.8:
            return {"contact_person": None, "contact_phone": None}
        relation, sex = rng.choice(_RELATIVES_OF_WOMEN if female else _RELATIVES_OF_MEN)
        first, other_last, _, _ = person_name(self.clock, sex == "F")
        family = other_last if relation in ("Épouse", "Époux", "Mère") else last_name
        return {
            "contact_person": f"{relation} : {first} {family}",
            "contact_phone": mobile_phone(self.clock),
        }

    # -- consents -----------------------------------------------------------------------

    def consents(self, case: Case, buffer: RowBuffer) -> None:
        clock, rng = self.clock, self.clock.rng
        given = clock.past(case.intake + timedelta(days=rng.randint(0, 10)))
        rows = buffer.rows["consent_record"]
        if rng.random() < ASSESSMENT_CONSENT_SHARE:
            case.assessment_consent = given
            rows.append(self._consent(case, ConsentPurpose.ASSESSMENT, None, given))
        if rng.random() < STATISTICS_CONSENT_SHARE:
            row = self._consent(case, ConsentPurpose.STATISTICS, None, given)
            if rng.random() < 0.03 and given + timedelta(days=30) < clock.today:
                withdrawn = clock.between(given + timedelta(days=30), clock.today)
                row |= {
                    "withdrawn_on": withdrawn,
                    "withdrawn_by_id": case.staff.id,
                    "updated_at": clock.at(withdrawn),
                    "row_version": 2,
                }
            rows.append(row)

    def sharing_consent(
        self, case: Case, partner_id: uuid.UUID, before: date, rows: list[Row]
    ) -> None:
        """Consent to share with ``partner_id``, given shortly before the first referral."""
        if partner_id in case.shared_with:
            return
        case.shared_with.add(partner_id)
        given = max(case.intake, before - timedelta(days=self.clock.rng.randint(0, 5)))
        rows.append(self._consent(case, ConsentPurpose.PARTNER_SHARING, partner_id, given))

    def _consent(
        self, case: Case, purpose: ConsentPurpose, partner_id: uuid.UUID | None, given: date
    ) -> Row:
        oral = self.clock.rng.random() < 0.15
        return synced(self.clock.new_id(), self.clock.at(given), None, case.staff.id) | {
            "beneficiary_id": case.id,
            "purpose": purpose,
            "partner_id": partner_id,
            "given_on": given,
            "method": ConsentMethod.ORAL if oral else ConsentMethod.WRITTEN,
            "recorded_by_id": case.staff.id,
            "withdrawn_on": None,
            "withdrawn_by_id": None,
            "notes": "Consentement recueilli oralement en présence d'un collègue."
            if oral
            else None,
        }


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
