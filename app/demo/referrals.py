"""Referrals to partners: the slip's reference, the consent to share, the partner's answer.

A referral follows a plan action entrusted to a partner; now and then a person is
referred without a plan (an urgent need seen in the latest assessment). Sharing
consent with that partner is recorded first, as the law requires.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import accumulate

from app.demo import texts
from app.demo.assessments import Assessed
from app.demo.beneficiaries import BeneficiaryMaker, Case
from app.demo.organisation import Organisation, ServiceRef
from app.demo.records import NOT_VOIDED, Clock, RowBuffer, synced
from app.services.referrals import ALPHABET, CODE_LENGTH
from passerelle_core.enums import ReferralStatus

REFERRED_ACTION_SHARE = 0.85
STANDALONE_REFERRAL_SHARE = 0.12
_R = ReferralStatus
_REFERRAL_STATUSES = (
    (_R.COMPLETED, _R.STARTED, _R.ACCEPTED, _R.REFUSED, _R.NO_SHOW, _R.CANCELLED, _R.SENT),
    tuple(accumulate((35, 15, 10, 10, 15, 5, 10))),
)
_REFERRAL_VERSIONS = {_R.SENT: 1, _R.ACCEPTED: 2, _R.STARTED: 3, _R.COMPLETED: 4}

PartnerAction = tuple[uuid.UUID, ServiceRef, date]
"""(action id, the partner service doing it, the day the plan started)."""


class ReferralMaker:
    def __init__(self, clock: Clock, org: Organisation, people: BeneficiaryMaker) -> None:
        self.clock = clock
        self.org = org
        self.people = people
        self._references: set[str] = set()

    def make(
        self,
        case: Case,
        partner_actions: list[PartnerAction],
        completed: list[Assessed],
        buffer: RowBuffer,
    ) -> None:
        clock, rng = self.clock, self.clock.rng
        referred = False
        for action_id, service, start in partner_actions:
            if rng.random() < REFERRED_ACTION_SHARE:
                sent = clock.past(start + timedelta(days=rng.randint(0, 30)))
                self.referral(case, service, action_id, sent, buffer)
                referred = True
        if not referred and rng.random() < STANDALONE_REFERRAL_SHARE:
            domains = completed[-1].ranked_domains if completed else []
            services = [s for d in domains[:3] for s in self.org.services_by_domain.get(d, [])]
            if services:
                sent = clock.between(case.intake, case.last_day or clock.today)
                self.referral(case, rng.choice(services), None, sent, buffer)

    def referral(
        self,
        case: Case,
        service: ServiceRef,
        action_id: uuid.UUID | None,
        sent: date,
        buffer: RowBuffer,
    ) -> None:
        clock, rng = self.clock, self.clock.rng
        self.people.sharing_consent(case, service.partner_id, sent, buffer.rows["consent_record"])
        if (clock.today - sent).days < 10:
            status = _R.SENT if rng.random() < 0.6 else _R.ACCEPTED
        else:
            status = rng.choices(_REFERRAL_STATUSES[0], cum_weights=_REFERRAL_STATUSES[1])[0]
        changed = None
        if status is not _R.SENT:
            longest = 180 if status is _R.COMPLETED else 45
            changed = clock.past(sent + timedelta(days=rng.randint(2, longest)))
        outcomes = texts.REFERRAL_OUTCOMES.get(status.value)
        outcome = rng.choice(outcomes).format(e=case.agreement) if outcomes else None
        buffer.rows["referral"].append(
            synced(
                clock.new_id(),
                clock.at(sent),
                clock.at(changed or sent),
                case.staff.id,
                _REFERRAL_VERSIONS.get(status, 2),
            )
            | NOT_VOIDED
            | {
                "reference": self._reference(sent),
                "beneficiary_id": case.id,
                "partner_id": service.partner_id,
                "service_id": service.id,
                "action_id": action_id,
                "referred_by_id": case.staff.id,
                "sent_on": sent,
                "status": status,
                "status_changed_on": changed,
                "reason": f"Orientation\u00a0: {service.name}",
                "outcome": outcome,
            }
        )

    def _reference(self, sent: date) -> str:
        """``REF-YYYY-XXXXXX`` in the referral service's alphabet, so lookups find it."""
        while True:
            code = "".join(self.clock.rng.choices(ALPHABET, k=CODE_LENGTH))
            reference = f"REF-{sent.year}-{code}"
            if reference not in self._references:
                self._references.add(reference)
                return reference
