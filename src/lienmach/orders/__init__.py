"""Orders: the customer's order and the stage it has reached.

Purpose: check and price an order (customer, phone, address, products, VAT, shipping fee),
reserve its stock line by line (shortages become backorders), and keep the order's stage as the
higher contexts report picking, packing, shipping, delivery, returns, payment and cancellation;
cancel prepaid orders not paid by their payment deadline (periodic task, payment_deadline.py).
Depends on: kernel, catalog, customers, notifications, inventory.
Publishes: OrderPlaced, OrderReserved, OrderBackordered, OrderPaid, LatePaymentReceived,
OrderFulfilmentStarted, OrderShipped, OrderDelivered, OrderReturned, OrderCancelled.
Subscribes: StockReceived (serve backorders); OrderPlaced (confirmation e-mail).
"""
