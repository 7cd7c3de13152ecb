"""Shipping: carriers, rate cards, automatic carrier choice, booking and tracking.

Purpose: quote shipping from rate cards (distance band × weight band, COD fee), choose the best
carrier for each packed parcel by a documented score (price, promised days, measured on-time
rate), book it with the carrier through a job, issue the stock and tell the customer the
tracking number, then follow the carrier's signed status callbacks to delivery or return, and
poll the carrier for parcels whose callbacks went quiet (periodic task, polling.py).
Depends on: kernel, customers (geography), inventory, orders, fulfilment (events),
notifications.
Publishes: CarrierChosen, ShipmentBooked, ShipmentStatusChanged, ShipmentDelivered,
ShipmentFailed, ShipmentReturned.
Subscribes: ParcelPacked (choose and book), ShipmentBooked (issue stock, record shipped,
tracking e-mail and SMS), ShipmentFailed (stock back, order returned).
Write API (ADR 0013): booking.py (carrier choice, shipment, booking), carrier_updates.py
(carrier statuses, failed parcels back), carrier_setup.py (default carriers, webhook secrets).
"""
