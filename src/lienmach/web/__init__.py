"""Web: the delivery layer — the REST API under /api/v1 with its OpenAPI description.

Purpose: turn HTTP requests into calls of the contexts' services and queries, and compose
answers that span several contexts (an order with its stock, invoice, shipments, pick tasks,
tickets and timeline). Holds no business rules: validation of shapes happens in the request
schemas, every decision stays in the contexts. Every route but the public ones (health, docs,
tracking, signed carrier callbacks, survey answers by token) needs an API key with the route's
scope (``auth.py``); the key's name is the actor of what it does.
Depends on: every context (it sits on top of them), kernel.
Publishes: nothing.
Subscribes: nothing.
"""
