from sqlalchemy import select
from lienmach.kernel.tables import event_deliveries, event_log
from tests.integration.test_billing_shipping import shop, place, ship, carrier_says  # noqa

def test_debug(runtime, clock):
    ids = shop(runtime)
    order_id = place(runtime, ids)
    shipment = ship(runtime, order_id)
    from lienmach.shipping import services as sh
    print("RESULT", shipment.state, runtime.run(sh.record_carrier_update, carrier_id=shipment.carrier_id, tracking_code=shipment.tracking_code, carrier_status="delivered", carrier_event_id="x1", occurred_at=clock.now()))
    rows = runtime.read(lambda c: c.execute(select(event_deliveries.c.subscriber, event_deliveries.c.state, event_deliveries.c.last_error, event_log.c.type).join(event_log, event_log.c.id==event_deliveries.c.event_id).order_by(event_log.c.id)).all())
    for r in rows: print(r)
    print(runtime.read(lambda c: c.execute(select(event_log.c.type)).scalars().all()))
    assert 0
