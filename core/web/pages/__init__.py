"""Core's HTML pages, one module per domain: parse the request, call a service, render.

The web layer: domain packages below never import these (checked by import-linter)."""
