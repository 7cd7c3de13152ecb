"""Inventory: warehouses, stock on hand, and reservations that never oversell.

Purpose: receive stock, reserve it line by line in the best warehouse with atomic conditional
updates (never check-then-act), release it, issue it to carriers, take returns back.
Depends on: kernel, catalog, customers (province distances).
Publishes: StockReceived, StockReserved, ReservationReleased, StockIssued, StockReturned.
Subscribes: nothing.
"""
