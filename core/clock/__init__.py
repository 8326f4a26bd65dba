"""Working-day calendar and deadlines (green / yellow / red).

Holidays from the library plus the administrator overrides; sessions, cut-offs, suspensions."""
