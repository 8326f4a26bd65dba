"""The contract shared by plugins and every core package: specs, views, errors, the current user, hooks.

A leaf: it imports nothing of motcua, so any package may import it (checked by import-linter)."""
