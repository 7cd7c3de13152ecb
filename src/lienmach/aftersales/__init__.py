"""After-sales: satisfaction surveys (NPS), support tickets with a resolution SLA.

Purpose: when an order is delivered, send a survey with its warranty information; turn a
detractor's answer into a ticket; let customers and staff open, answer, resolve and reopen
tickets, each linked to its order and the stage that failed, each with a 24-hour SLA.
Depends on: orders, catalog, customers, notifications, kernel.
Publishes: SurveySent, SurveyAnswered, TicketOpened, TicketResolved, TicketReopened.
Subscribes: OrderDelivered (orders), SurveyAnswered (its own).
"""
