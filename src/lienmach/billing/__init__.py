"""Billing: invoices, credit notes and a double-entry ledger on the Vietnamese chart of accounts.

Purpose: issue the invoice of every placed order (gapless numbers per year), credit what a
cancellation or a failed delivery takes back, and post every money and stock movement of the
order journey as balanced journal entries, once per source, so the ledger always balances.
Depends on: kernel, catalog (standard cost), inventory (reservations), orders (order lines),
shipping (shipment reservations).
Publishes: InvoiceIssued, CreditNoteIssued, EntryPosted.
Subscribes: OrderPlaced, OrderPaid, OrderCancelled, ShipmentBooked, ShipmentDelivered,
ShipmentReturned, StockReceived.
"""
