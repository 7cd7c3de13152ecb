"""Simulator: seeds a demo company and plays the people of the chain (pickers, packers,
couriers, customers, support staff) against the real services.

Depends on: every context below ``web`` (it calls their services like a user would).
Publishes: nothing of its own. Subscribes: nothing.
"""
