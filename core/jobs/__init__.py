"""Background work: the outbox, the arq worker and the in-process runner.

Tasks are idempotent; the outbox is the source of truth."""
