"""Kernel: the shared ground every context stands on.

Purpose: money, ids, clock, errors, the database handle, the unit of work, the event outbox
with its tracking rows, the bus that delivers events to subscribers, and the job queue for
external I/O.
Depends on: nothing in Lienmach.
Publishes: nothing of its own. Subscribes: nothing.
"""
