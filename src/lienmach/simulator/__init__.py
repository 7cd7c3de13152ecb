"""Simulator: seeds a demo company and plays the people of the chain (customers, pickers,
packers, couriers, support staff, the buyer) against the real services, day by day on a
simulated clock (``simulation.simulate``): weekday and seasonal demand, stock-outs, capacity,
carrier delays and failures, mistakes, surveys and complaints; the same seed, the same business.

Depends on: every context below ``web`` (it calls their services like a user would).
Publishes: nothing of its own. Subscribes: nothing.
"""
