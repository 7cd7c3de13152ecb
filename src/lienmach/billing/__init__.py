"""Billing: invoices, credit notes and a double-entry ledger on the Vietnamese chart of accounts.

Purpose: issue the invoice of every placed order (gapless numbers per year), credit what a
cancellation or a failed delivery takes back, refund what a customer paid beyond what they owe
(cancelled or returned prepaid orders, payments arriving after a cancellation) and tell them by
e-mail, and post every money and stock movement of the order journey as balanced journal
entries, once per source, so the ledger always balances.
Depends on: kernel, catalog (standard cost), notifications, inventory (reservations),
orders (order lines), shipping (shipment reservations).
Publishes: InvoiceIssued, CreditNoteIssued, EntryPosted, RefundIssued.
Subscribes: OrderPlaced, OrderPaid, LatePaymentReceived, OrderCancelled, ShipmentBooked,
ShipmentDelivered, ShipmentReturned, StockReceived, RefundIssued (refund e-mail).
Write API (ADR 0013): invoicing.py (invoices, credit notes), payments.py (prepaid payments, COD
collected), postings.py (chart of accounts, goods received, cost of goods shipped).
"""
