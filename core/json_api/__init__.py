"""Versioned JSON API under /api/v1 (OpenAPI at /schema).

Separate from the HTML pages and from core.api (the plugin surface)."""
