"""Analytics: the chain measured — object attributes over time, the five KPIs, targets, alerts.

Purpose: keep, from every event of the append-only event log, each business object's attributes
over time and per-day-per-slice aggregates of the five KPIs of DESIGN.md §1.5 (order cycle
time, operating cost per order, process error rate, NPS, complaint resolution time), also as
wide rows per 1-, 7- and 28-day block (rollups.py), so a KPI read never rescans the log;
recompute them from the facts or the log with exactly the same result (recompute.py); evaluate
targets and raise (and close) alerts that can e-mail and open a corrective ticket.
Depends on: aftersales, billing, shipping, fulfilment, orders, inventory, catalog, customers,
notifications, kernel.
Publishes: AutomationFailed (a dead delivery or job, found by a sweep), KpiAlertRaised,
KpiAlertClosed.
Subscribes: every measured event of orders, fulfilment, shipping, billing, aftersales and its
own AutomationFailed (one handler, see handlers.py); periodic: dead-work sweep, target check.
"""
