"""Database engine, transactions and shared column helpers.

SQLite by default, PostgreSQL when ``DATABASE_URL`` says so; one migration set for both."""
