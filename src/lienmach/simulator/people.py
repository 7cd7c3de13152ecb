"""The people of the chain, played by rules: pickers, packers, couriers, customers, support.

Each method does one round of one role's work against the real services and returns how much
it did, so callers can loop until the chain is quiet. The steps of a round are committed in
groups (``Runtime.run_together``), as a busy warehouse's terminals would be: one failing step is
undone alone, and the later steps of the same pick task are then not tried.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lienmach.aftersales.queries import list_tickets, unanswered_surveys
from lienmach.aftersales.surveys import answer_survey
from lienmach.aftersales.tickets import resolve_ticket
from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.fulfilment.queries import PickTaskView, pick_queue
from lienmach.kernel.errors import DomainError
from lienmach.kernel.group_commit import Outcome, SkippedAfterFailure, Unit, step
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping.carrier_updates import parse_and_record_callback
from lienmach.shipping.queries import ShipmentView, open_shipments
from lienmach.shipping.sandbox import CarrierSandbox

G = TypeVar("G")

# The statuses a courier reports, in order, for a parcel that arrives and one that does not.
DELIVERED_PATH = ("picked", "transporting", "delivering", "delivered")
FAILED_PATH = ("picked", "transporting", "delivering", "delivery_fail", "return", "returned")
# Pick tasks (about five steps each) and other steps per group: bounds how long a group holds
# the write lock while the automatic steps wait for it.
TASKS_PER_GROUP = 20
STEPS_PER_GROUP = 100
WRONG_CODE = "0000000000000"


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
        """Pick, scan every unit and close the parcel of each open task."""
        tasks = self.runtime.read(pick_queue, limit=limit)
        return sum(self._pick_and_pack(group) for group in _groups(tasks, TASKS_PER_GROUP))

    def _pick_and_pack(self, tasks: Sequence[PickTaskView]) -> int:
        units: list[Unit[Any]] = []
        kinds: list[str] = []
        for task in tasks:
            for kind, work in self._task_steps(task):
                units.append(Unit(work, chain=task.id))
                kinds.append(kind)
        done = 0
        failure: Exception | None = None
        for kind, outcome in zip(kinds, self.runtime.run_together(units), strict=True):
            if isinstance(outcome.error, SkippedAfterFailure):
                continue
            if outcome.error is not None:
                unexpected = self._note(outcome.error)
                failure = failure or unexpected
            elif kind == "pick":
                self.tally.picks += 1
            elif kind == "wrong scan":
                self.tally.wrong_scans += not outcome.result().accepted
            elif kind == "close":
                self.tally.parcels += 1
                done += 1
        if failure is not None:
            raise failure
        return done

    def _task_steps(self, task: PickTaskView) -> list[tuple[str, Callable[[UnitOfWork], Any]]]:
        """The steps of one task, named, in the order they depend on each other."""
        steps: list[tuple[str, Callable[[UnitOfWork], Any]]] = []
        if task.state == "queued":
            steps.append(("pick", step(confirm_pick, pick_task_id=task.id, picker="picker-1")))
        if self.rng.random() < self.behaviour.wrong_scan_rate:
            steps.append(("wrong scan", step(scan_unit, pick_task_id=task.id, code=WRONG_CODE)))
        for line in task.lines:
            scan = step(scan_unit, pick_task_id=task.id, code=line.barcode)
            steps.extend(("scan", scan) for _ in range(line.remaining))
        weight = task.expected_weight_grams + 150
        close = step(close_parcel, pick_task_id=task.id, weight_grams=weight, packer="packer-1")
        steps.append(("close", close))
        return steps

    def _note(self, error: Exception) -> Exception | None:
        """Tally a refused step (e.g. the order was cancelled meanwhile); any other error is
        returned, to be raised once the round's other steps are in."""
        if isinstance(error, DomainError):
            self.tally.errors.append(str(error))
            return None
        return error

    def couriers(self, *, limit: int) -> int:
        """Move each open shipment one status further, through signed callbacks.

        A courier takes a parcel only once the warehouse has handed it over (its stock
        issued): with workers running beside, reporting on a parcel whose hand-over a worker
        is recording would lock the same shipment rows in another order (a deadlock)."""
        shipments = self.runtime.read(open_shipments, limit=limit, handed_over=True)
        return sum(self._report_round(group) for group in _groups(shipments, STEPS_PER_GROUP))

    def _report_round(self, shipments: Sequence[ShipmentView]) -> int:
        units: list[Unit[Any]] = []
        for shipment in shipments:
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
            units.append(self._report(shipment.carrier_id, shipment.tracking_code, path[reported]))
        done, failure = self._count(self.runtime.run_together(units), refusals_tallied=False)
        self.tally.carrier_updates += done
        if failure is not None:
            raise failure
        return done

    def _report(self, carrier_id: str, tracking_code: str, status: str) -> Unit[Any]:
        """The courier moves the parcel at the carrier; the carrier's signed callback reaches us."""
        reason = "Khách không nghe máy" if status == "delivery_fail" else ""
        headers, body = self.carriers.advance(
            tracking_code, status, reason=reason, at=self.runtime.clock.now()
        )
        return Unit(
            step(
                parse_and_record_callback,
                carrier_id=carrier_id,
                headers=headers,
                body=body,
                secret=self.carriers.secret,
            )
        )

    def _count(
        self, outcomes: Sequence[Outcome[Any]], *, refusals_tallied: bool
    ) -> tuple[int, Exception | None]:
        """How many steps went through, and the first error to raise once they are tallied; a
        step refused by a business rule is only tallied when ``refusals_tallied``."""
        failure: Exception | None = None
        done = 0
        for outcome in outcomes:
            if outcome.error is None:
                done += 1
            else:
                unexpected = self._note(outcome.error) if refusals_tallied else outcome.error
                failure = failure or unexpected
        return done, failure

    def customers_answer_surveys(self, *, limit: int) -> int:
        surveys = self.runtime.read(unanswered_surveys, limit=limit)
        units: list[Unit[Any]] = []
        for survey in surveys:
            if self.rng.random() > self.behaviour.survey_answer_rate:
                continue
            roll = self.rng.random()
            if roll < self.behaviour.detractor_rate:
                score, comment = self.rng.randint(0, 6), "Giao hàng chậm, hộp bị móp"
            elif roll < self.behaviour.detractor_rate + self.behaviour.passive_rate:
                score, comment = self.rng.randint(7, 8), ""
            else:
                score, comment = self.rng.randint(9, 10), "Rất hài lòng"
            answer = step(answer_survey, token=survey.token, score=score, comment=comment)
            units.append(Unit(answer))
        done = 0
        failure: Exception | None = None
        for group in _groups(units, STEPS_PER_GROUP):
            outcomes = self.runtime.run_together(group)
            answered, failure = self._count(outcomes, refusals_tallied=True)
            done += answered
            if failure is not None:
                break
        self.tally.survey_answers += done
        if failure is not None:
            raise failure
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


def _groups(items: Sequence[G], size: int) -> list[Sequence[G]]:
    """``items`` cut into runs of ``size`` (the last may be shorter): one group commit each."""
    return [items[start : start + size] for start in range(0, len(items), size)]
