"""Append-only, hash-chained audit log and its verifier.

One chain per agency so writers at different agencies never wait on each other."""
