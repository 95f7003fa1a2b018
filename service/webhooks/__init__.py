"""Webhooks (docs/webhooks.md): the change feed pushed to registered endpoints, signed as the
Standard Webhooks specification says, from an outbox written with each change."""
