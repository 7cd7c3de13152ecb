"""The people of the chain, played by rules: pickers, packers, couriers, customers, support.

Each method does one round of one role's work against the real services and returns how much
it did, so callers can loop until the chain is quiet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lienmach.aftersales.queries import list_tickets, unanswered_surveys
from lienmach.aftersales.services import answer_survey, resolve_ticket
from lienmach.fulfilment.queries import pick_queue
from lienmach.fulfilment.services import close_parcel, confirm_pick, scan_unit
from lienmach.kernel.errors import DomainError
from lienmach.kernel.runtime import Runtime
from lienmach.shipping.queries import open_shipments
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.shipping.services import parse_and_record_callback

# The statuses a courier reports, in order, for a parcel that arrives and one that does not.
DELIVERED_PATH = ("picked", "transporting", "delivering", "delivered")
FAILED_PATH = ("picked", "transporting", "delivering", "delivery_fail", "return", "returned")


@dataclass
class Behaviour:
    """How often people slip or customers are unhappy."""

    wrong_scan_rate: float = 0.05
    failed_delivery_rate: float = 0.04
    survey_answer_rate: float = 0.85
    detractor_rate: float = 0.08
    passive_rate: float = 0.12


@dataclass
class Tally:
    picks: int = 0
    wrong_scans: int = 0
    parcels: int = 0
    carrier_updates: int = 0
    survey_answers: int = 0
    tickets_resolved: int = 0
    errors: list[str] = field(default_factory=list)


class People:
    """Plays every human role once per call of :meth:`work_round`."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        rng: random.Random,
        carriers: CarrierSandbox,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.runtime = runtime
        self.rng = rng
        self.carriers = carriers
        self.behaviour = behaviour or Behaviour()
        self.tally = Tally()
        self._paths: dict[str, tuple[str, ...]] = {}
        self._reported: dict[str, int] = {}

    def work_round(self, *, limit: int = 200) -> int:
        return (
            self.pickers_and_packers(limit=limit)
            + self.couriers(limit=limit)
            + self.customers_answer_surveys(limit=limit)
            + self.support_resolves_tickets(limit=limit)
        )

    def pickers_and_packers(self, *, limit: int) -> int:
        done = 0
        for task in self.runtime.read(pick_queue, limit=limit):
            try:
                if task.state == "queued":
                    self.runtime.run(confirm_pick, pick_task_id=task.id, picker="picker-1")
                    self.tally.picks += 1
                if self.rng.random() < self.behaviour.wrong_scan_rate:
                    outcome = self.runtime.run(
                        scan_unit, pick_task_id=task.id, code="0000000000000"
                    )
                    self.tally.wrong_scans += not outcome.accepted
                for line in task.lines:
                    for _ in range(line.remaining):
                        self.runtime.run(scan_unit, pick_task_id=task.id, code=line.barcode)
                self.runtime.run(
                    close_parcel,
                    pick_task_id=task.id,
                    weight_grams=task.expected_weight_grams + 150,
                    packer="packer-1",
                )
                self.tally.parcels += 1
                done += 1
            except DomainError as error:  # e.g. the order was cancelled meanwhile
                self.tally.errors.append(str(error))
        return done

    def couriers(self, *, limit: int) -> int:
        """Move each open shipment one status further, through signed callbacks."""
        done = 0
        for shipment in self.runtime.read(open_shipments, limit=limit):
            if not shipment.tracking_code:
                continue
            path = self._paths.setdefault(
                shipment.id,
                FAILED_PATH
                if self.rng.random() < self.behaviour.failed_delivery_rate
                else DELIVERED_PATH,
            )
            reported = self._reported.get(shipment.id, 0)
            if reported >= len(path):
                continue
            self._reported[shipment.id] = reported + 1
            self._report(shipment.carrier_id, shipment.tracking_code, path[reported])
            self.tally.carrier_updates += 1
            done += 1
        return done

    def _report(self, carrier_id: str, tracking_code: str, status: str) -> None:
        """The courier moves the parcel at the carrier; the carrier's signed callback reaches us."""
        reason = "Khách không nghe máy" if status == "delivery_fail" else ""
        headers, body = self.carriers.advance(
            tracking_code, status, reason=reason, at=self.runtime.clock.now()
        )
        self.runtime.run(
            parse_and_record_callback,
            carrier_id=carrier_id,
            headers=headers,
            body=body,
            secret=self.carriers.secret,
        )

    def customers_answer_surveys(self, *, limit: int) -> int:
        done = 0
        for survey in self.runtime.read(unanswered_surveys, limit=limit):
            if self.rng.random() > self.behaviour.survey_answer_rate:
                continue
            roll = self.rng.random()
            if roll < self.behaviour.detractor_rate:
                score, comment = self.rng.randint(0, 6), "Giao hàng chậm, hộp bị móp"
            elif roll < self.behaviour.detractor_rate + self.behaviour.passive_rate:
                score, comment = self.rng.randint(7, 8), ""
            else:
                score, comment = self.rng.randint(9, 10), "Rất hài lòng"
            try:
                self.runtime.run(answer_survey, token=survey.token, score=score, comment=comment)
            except DomainError as error:
                self.tally.errors.append(str(error))
                continue
            self.tally.survey_answers += 1
            done += 1
        return done

    def support_resolves_tickets(self, *, limit: int) -> int:
        done = 0
        now = self.runtime.clock.now()
        for ticket in self.runtime.read(list_tickets, state="open", now=now, limit=limit):
            self.runtime.run(
                resolve_ticket, ticket_id=ticket.id, resolution="Đã gọi lại khách và đổi hàng mới"
            )
            self.tally.tickets_resolved += 1
            done += 1
        return done
