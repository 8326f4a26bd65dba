"""Benchmarks of motcua: each figure is a ratio against a baseline measured in the same run.

``python -m bench`` runs every suite on SQLite and (when reachable) PostgreSQL and prints a table;
see the README's "Benchmarks" section. Nothing here is imported by the application.
"""
