"""Composition root: settings → engine → bus and subscriptions → adapters → runtime.

The only place where the pieces of Lienmach are put together; nothing is built at import time.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from lienmach import (
    aftersales,
    billing,
    catalog,
    customers,
    fulfilment,
    inventory,
    notifications,
    orders,
    shipping,
)
from lienmach.access import events as access_events
from lienmach.access import tables as access_tables
from lienmach.aftersales import events as aftersales_events
from lienmach.aftersales import handlers as aftersales_handlers
from lienmach.aftersales import tables as aftersales_tables
from lienmach.analytics import alerts as analytics_alerts
from lienmach.analytics import events as analytics_events
from lienmach.analytics import handlers as analytics_handlers
from lienmach.analytics import process_map_handlers
from lienmach.analytics import tables as analytics_tables
from lienmach.billing import events as billing_events
from lienmach.billing import handlers as billing_handlers
from lienmach.billing import tables as billing_tables
from lienmach.catalog import events as catalog_events
from lienmach.catalog import tables as catalog_tables
from lienmach.customers import events as customers_events
from lienmach.customers import tables as customers_tables
from lienmach.fulfilment import events as fulfilment_events
from lienmach.fulfilment import handlers as fulfilment_handlers
from lienmach.fulfilment import tables as fulfilment_tables
from lienmach.inventory import events as inventory_events
from lienmach.inventory import tables as inventory_tables
from lienmach.kernel import tables as kernel_tables
from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import Clock, SystemClock
from lienmach.kernel.db import make_engine, metadata
from lienmach.kernel.jobs import JobKind, JobRunner
from lienmach.kernel.messages import event_types
from lienmach.kernel.runtime import PeriodicTask, Runtime
from lienmach.notifications import events as notifications_events
from lienmach.notifications import jobs as notifications_jobs
from lienmach.notifications import tables as notifications_tables
from lienmach.notifications.adapters import EmailSender, HttpSmsSender, SmsSender, SmtpEmailSender
from lienmach.orders import events as orders_events
from lienmach.orders import handlers as orders_handlers
from lienmach.orders import payment_deadline
from lienmach.orders import queries as orders_queries
from lienmach.orders import tables as orders_tables
from lienmach.settings import Settings
from lienmach.shipping import events as shipping_events
from lienmach.shipping import handlers as shipping_handlers
from lienmach.shipping import jobs as shipping_jobs
from lienmach.shipping import polling as shipping_polling
from lienmach.shipping import tables as shipping_tables
from lienmach.shipping.gateway import CarrierGateway, HttpCarrierGateway

CONTEXTS = (
    catalog,
    customers,
    notifications,
    inventory,
    orders,
    fulfilment,
    shipping,
    billing,
    aftersales,
)

TABLE_MODULES = (
    kernel_tables,
    catalog_tables,
    customers_tables,
    notifications_tables,
    inventory_tables,
    orders_tables,
    fulfilment_tables,
    shipping_tables,
    billing_tables,
    aftersales_tables,
    access_tables,
    analytics_tables,
)

# The order journey of DESIGN.md §1.1, read top to bottom: who reacts to what.
# A delivery batch runs its subscribers in this order (kernel.bus), so every batch takes the
# rows they lock (an invoice series' counter, pick lines, orders, stock) in one order and two
# workers never wait on each other crosswise. It is also the order the timeline tells: the
# invoice is issued before the pick task is queued.
SUBSCRIPTION_TABLES = (
    orders_handlers.SUBSCRIPTIONS,  # stock arrived → backorders reserved; confirmation e-mail
    billing_handlers.SUBSCRIPTIONS,  # placed → invoice; shipped → cost of goods; delivered → COD
    fulfilment_handlers.SUBSCRIPTIONS,  # reserved/paid → pick task; cancelled → task cancelled
    shipping_handlers.SUBSCRIPTIONS,  # parcel packed → carrier chosen, booked, customer told
    aftersales_handlers.SUBSCRIPTIONS,  # delivered → survey; detractor → ticket
)
# Projections: every event added into shared rows, run by one worker at a time (kernel.bus).
PROJECTION_TABLES = (
    analytics_handlers.SUBSCRIPTIONS,  # every measured step → KPI facts and day sums
    process_map_handlers.SUBSCRIPTIONS,  # every journey step → the process map's counts
)


def all_event_types() -> dict[str, type]:
    return event_types(
        access_events,
        catalog_events,
        customers_events,
        notifications_events,
        inventory_events,
        orders_events,
        fulfilment_events,
        shipping_events,
        billing_events,
        aftersales_events,
        analytics_events,
    )


def periodic_tasks(settings: Settings) -> list[PeriodicTask]:
    """Work found by looking at the clock: passed payment deadlines, carriers gone quiet."""
    every = timedelta(minutes=settings.sweep_every_minutes)
    return [
        *payment_deadline.periodic_tasks(
            deadline=timedelta(hours=settings.payment_deadline_hours), every=every
        ),
        *shipping_polling.periodic_tasks(
            quiet_for=timedelta(hours=settings.carrier_poll_after_hours), every=every
        ),
        *analytics_handlers.periodic_tasks(every=every),
        *analytics_alerts.periodic_tasks(every=every),
    ]


def create_schema(engine: Engine) -> None:
    """Create every table directly (tests); deployments use ``lienmach migrate``."""
    assert TABLE_MODULES  # importing the modules registers their tables on ``metadata``
    metadata.create_all(engine)


def build_runtime(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    inline_drain: bool | None = None,
    email_sender: EmailSender | None = None,
    sms_sender: SmsSender | None = None,
    carrier_gateway: CarrierGateway | None = None,
) -> Runtime:
    """Put a running Lienmach together from settings; any adapter may be replaced."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)
    bus = Bus(
        SUBSCRIPTION_TABLES,
        all_event_types(),
        projections=PROJECTION_TABLES,
        prepare_journey_batch=[
            orders_queries.read_orders_of,
            shipping_handlers.lock_stock_moved_by,
        ],
    )
    email_sender = email_sender or SmtpEmailSender(
        host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_from
    )
    sms_sender = sms_sender or HttpSmsSender(settings.sms_gateway_url)
    carrier_gateway = carrier_gateway or HttpCarrierGateway(settings.carrier_api_url)
    kinds: list[JobKind] = [
        *notifications_jobs.job_kinds(
            email_sender=email_sender,
            sms_sender=sms_sender,
            public_base_url=settings.public_base_url,
        ),
        *shipping_jobs.job_kinds(carrier_gateway=carrier_gateway),
    ]
    return Runtime(
        engine=engine,
        clock=clock or SystemClock(),
        bus=bus,
        job_runner=JobRunner({kind.name: kind for kind in kinds}, io_threads=settings.io_threads),
        inline_drain=settings.is_sqlite if inline_drain is None else inline_drain,
        periodic=periodic_tasks(settings),
        adapters={
            "settings": settings,
            "email_sender": email_sender,
            "sms_sender": sms_sender,
            "carrier_gateway": carrier_gateway,
        },
    )
