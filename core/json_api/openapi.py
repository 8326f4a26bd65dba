"""What ``/schema/openapi.json`` says beyond the handlers' types: the bearer scheme and the error shape.

Routes that need a token declare ``security=BEARER`` (the scheme ``core.app`` registers under
``SECURITY_SCHEMES``); public ones ``security=[]``. Every error is ``application/problem+json``
(``Problem``).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityScheme

__all__ = ("BEARER", "PROBLEMS", "SECURITY_SCHEMES", "FieldError", "Problem", "document_problems")

SECURITY_SCHEMES = {
    "bearer": SecurityScheme(
        type="http",
        scheme="bearer",
        description="An API token, sent as `Authorization: Bearer <token>`. An administrator issues one with "
        "`motcua token <username>`; the website's sign-in cookie is not accepted.",
    ),
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class FieldError(msgspec.Struct):
    field: str | None
    """The field, dotted for nested ones (``applicant.id_number``); null for the whole request."""
    message: str
    """What is wrong and how to fix it (in the caller's language, Vietnamese by default)."""


class Problem(msgspec.Struct, omit_defaults=True):
    """An error (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    """422: every field to correct."""
    changes: list[str] | None = None
    """409: what changed since the version you sent (read the dossier again, then retry)."""
    detail_en: str | None = None
    """401: ``detail`` in English."""
    signed_in_by_session: bool | None = None
    """401: the caller sent the website's sign-in cookie instead of a token."""
    token_command: str | None = None
    """401: how an administrator issues a token."""
    retry_after: int | None = None
    """429: seconds to wait before trying again (the ``Retry-After`` header says the same)."""


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type="application/problem+json",
        generate_examples=False,
    )


PROBLEMS = {
    400: _problem("Malformed request: not JSON, or a path or query parameter of the wrong type"),
    401: _problem("No valid API token (`Authorization: Bearer <token>`)"),
    403: _problem("The token's user may not do this, here, now"),
    404: _problem("No such dossier, or not one this user may read (the same answer)"),
    409: _problem("The dossier changed since the version sent (`changes` says how)"),
    410: _problem("The procedure is not taken in here now"),
    422: _problem("Input refused: `errors` names each field, with a Vietnamese message"),
    429: _problem("Too many requests from this address: wait `retry_after` seconds (also `Retry-After`)"),
}


def document_problems(*handlers: Any, codes: tuple[int, ...]) -> None:
    """Declare the problem responses ``codes`` on route handlers, keeping what a handler declares itself."""
    for handler in handlers:
        handler.responses = {**{c: PROBLEMS[c] for c in codes}, **(handler.responses or {})}
