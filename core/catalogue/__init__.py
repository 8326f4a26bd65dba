"""Procedures assembled from the enabled plugins, and their activation per agency.

Also the province fee table and effective-dated procedure versions."""
