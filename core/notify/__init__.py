"""Notifications to citizens and staff (mail, SMS, in-app).

Without SMTP, messages wait on an outbox page."""
