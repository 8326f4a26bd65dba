"""Dossier lifecycle: states, the transition table, events, codes, routing.

Every state change is one service call in one transaction with an event row."""
