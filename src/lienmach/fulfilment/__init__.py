"""Fulfilment: pick tasks ordered by priority, waves, and guided packing by scanning.

Purpose: queue one pick task per warehouse for an order's reserved units (once the order may
ship: cash on delivery, or prepaid and paid), order the queue by priority, group tasks into
waves, and guide packing: every unit is verified by scanning its barcode or SKU before the
parcel can be closed with its weight and size.
Depends on: kernel, catalog, inventory (reservations), orders (order view, start_fulfilment).
Publishes: PickTaskQueued, PickTaskPicked, PickTaskCancelled, UnitScanned, ScanRejected,
ParcelPacked, WaveCreated.
Subscribes: OrderReserved, OrderPaid (queue pick tasks), OrderCancelled (cancel open tasks).
Write API (ADR 0013): picking.py (pick tasks, waves), packing.py (scanning, closing parcels).
"""
