"""Notifications: e-mail and SMS to customers, sent once, outside business transactions.

Purpose: queue an outbound message under an idempotency key inside the caller's transaction,
then render it (Vietnamese or English) and hand it to the SMTP server or the SMS gateway from a
job, marking it sent when the provider accepted it.
Depends on: kernel.
Publishes: MessageSent.
Subscribes: nothing.
"""
