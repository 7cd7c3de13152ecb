"""The process map drawing fits a page: layers run from top to bottom, the drawing's width stays
bounded however long the journey, every box is inside it, no arrow runs through a box, and every
name is escaped."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from lienmach.analytics.process_map_queries import ActivityView, EdgeView, ProcessMap
from lienmach.analytics.process_map_svg import process_map_svg

pytestmark = pytest.mark.unit

SVG = "{http://www.w3.org/2000/svg}"

# A journey like the demo's: 28 activities, forks, steps some orders skip, and rework loops.
DEMO_JOURNEY = """
OrderPlaced>OrderReserved:200 OrderPlaced>OrderBackordered:12 OrderBackordered>OrderReserved:11
OrderBackordered>OrderCancelled:1 OrderReserved>InvoiceIssued:211 InvoiceIssued>OrderPaid:40
InvoiceIssued>OrderFulfilmentStarted:160 InvoiceIssued>OrderCancelled:3
OrderPaid>LatePaymentReceived:2 OrderPaid>OrderFulfilmentStarted:38
LatePaymentReceived>OrderFulfilmentStarted:2
OrderFulfilmentStarted>PickTaskQueued:200 PickTaskQueued>PickTaskPicked:190
PickTaskQueued>OrderCancelled:4 PickTaskPicked>ParcelPacked:180 PickTaskPicked>ScanRejected:10
ScanRejected>PickTaskPicked:6 ScanRejected>ParcelPacked:4 ParcelPacked>CarrierChosen:184
CarrierChosen>ShipmentBooked:184 ShipmentBooked>OrderShipped:184 OrderShipped>OrderDelivered:170
OrderShipped>ShipmentFailed:14 ShipmentFailed>OrderShipped:8 ShipmentFailed>OrderReturned:6
OrderReturned>ShipmentReturned:6 ShipmentReturned>CreditNoteIssued:6
OrderCancelled>CreditNoteIssued:8 CreditNoteIssued>RefundIssued:5
CreditNoteIssued>PickTaskCancelled:3 OrderDelivered>ShipmentDelivered:170
ShipmentDelivered>SurveySent:170 SurveySent>SurveyAnswered:99
SurveySent>TicketOpened:2 SurveyAnswered>TicketOpened:6 TicketOpened>TicketResolved:8
TicketResolved>TicketReopened:2 TicketReopened>TicketResolved:2 TicketResolved>TicketOpened:1
TicketOpened>TicketOpened:1
"""

# One step followed by any of nine others: a layer far wider than a row.
WIDE_FORK = " ".join(f"Triaged>Outcome{n}:{10 + n}" for n in range(9)) + " Received>Triaged:99"


def _map(journey: str) -> ProcessMap:
    edges = []
    for item in journey.split():
        pair, count = item.split(":")
        source, target = pair.split(">")
        edges.append(EdgeView(source, target, int(count), 0, 3600 * int(count), 7200, 3600))
    names = sorted({e.source for e in edges} | {e.target for e in edges})
    reached = {e.target for e in edges}
    activities = tuple(
        ActivityView(
            activity=name,
            events=sum(e.transitions for e in edges if e.target == name) or 1,
            starting=0 if name in reached else 200,
            ending=0,
            repeating=1 if name in ("TicketOpened", "PickTaskPicked") else 0,
            repeats=0,
        )
        for name in names
    )
    return ProcessMap(len(names), activities, tuple(edges), (), 1)


def _boxes(root: ElementTree.Element) -> list[tuple[float, float, float, float]]:
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == "node"
    ]


def _pieces(path: str) -> list[list[tuple[float, float]]]:
    """Each piece of a path (a line or a curve) as its points, control points included: a curve
    stays within the box around them."""
    tokens = re.findall(r"[MLQC]|-?\d+(?:\.\d+)?", path)
    pieces: list[list[tuple[float, float]]] = []
    here = (0.0, 0.0)
    command = "M"
    numbers: list[float] = []
    for token in [*tokens, "M"]:
        if token in "MLQC":
            points = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]
            if command != "M" and points:
                pieces.append([here, *points])
            if points:
                here = points[-1]
            command, numbers = token, []
        else:
            numbers.append(float(token))
    return pieces


def _crosses(piece: list[tuple[float, float]], box: tuple[float, float, float, float]) -> bool:
    x, y, width, height = box
    xs, ys = [p[0] for p in piece], [p[1] for p in piece]
    return max(xs) > x and min(xs) < x + width and max(ys) > y and min(ys) < y + height


@pytest.mark.parametrize("journey", [DEMO_JOURNEY, WIDE_FORK], ids=["demo-like", "wide-fork"])
def test_the_drawing_is_narrow_enough_for_a_page_and_holds_every_box(journey: str) -> None:
    found = _map(journey)

    root = ElementTree.fromstring(process_map_svg(found))

    left, top, width, height = (float(n) for n in root.get("viewBox", "").split())
    assert width <= 1200
    assert root.get("width") == "100%" and f"max-width:{width:g}px" in root.get("style", "")
    boxes = _boxes(root)
    assert len(boxes) == len(found.activities)
    for x, y, box_width, box_height in boxes:
        assert left <= x and x + box_width <= left + width
        assert top <= y and y + box_height <= top + height
    for index, box in enumerate(boxes):  # side by side, never on top of each other
        assert not any(
            _crosses([(b[0], b[1]), (b[0] + b[2], b[1] + b[3])], box) for b in boxes[:index]
        )


def test_layers_run_down_and_no_arrow_passes_through_a_box() -> None:
    root = ElementTree.fromstring(process_map_svg(_map(DEMO_JOURNEY)))

    top_of = {
        g.get("data-activity"): float(g.find(f"{SVG}rect").get("y", 0))  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "activity"
    }
    journey = ["OrderPlaced", "OrderReserved", "InvoiceIssued", "PickTaskQueued", "OrderShipped"]
    assert [top_of[name] for name in journey] == sorted({top_of[name] for name in journey})
    kinds = {g.get("class") for g in root.iter(f"{SVG}g") if "edge" in (g.get("class") or "")}
    assert {"edge forward", "edge skip", "edge back", "edge loop"} <= kinds
    boxes = _boxes(root)
    for group in root.iter(f"{SVG}g"):
        if (group.get("class") or "").startswith("edge "):
            path = group.find(f"{SVG}path")
            assert path is not None
            title = group.findtext(f"{SVG}title")
            for piece in _pieces(path.get("d", "")):
                assert not any(_crosses(piece, box) for box in boxes), title


def test_names_are_escaped() -> None:
    found = _map('A<b&>Z"q:3')

    svg = process_map_svg(found, label=lambda name: f"<i>{name}</i>")

    assert "<i>" not in svg and "<b" not in svg
    assert "&lt;i&gt;A&lt;b&amp;&lt;/i&gt;" in svg and 'data-activity="Z&quot;q"' in svg
    ElementTree.fromstring(svg)  # still well-formed
