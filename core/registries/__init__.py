"""Registries kept by plugins: the one rule on who sees a record's personal data.

Plugins declare their registries (``register_registries``); core decides, splits and audits."""
