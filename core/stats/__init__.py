"""Statistics and the legal reports leaders must file.

Kept up to date incrementally, never by scanning history."""
