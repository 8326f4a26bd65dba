"""Shim so the raw ``piccolo`` CLI works from the repository root."""

from core.db.piccolo_conf import APP_REGISTRY, DB

__all__ = ("APP_REGISTRY", "DB")
