"""Notifications (issue 13, docs/notifications.md): the outbox that changes write their
events to, webhooks and e-mails the worker delivers from it, and the events feed."""
