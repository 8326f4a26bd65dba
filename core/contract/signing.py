"""The signing interface: who signs a document and the service that makes the PAdES signature.

A deployment has one signer service, given by the ``document_signer`` hook (``firstresult``). Core ships
a software key store for the demo and the tests (``core.documents.keystore``); a province plugs its USB
tokens (PKCS#11) or a remote signing service in by implementing the hook (see ``docs/integration.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ("SignerRef", "DocumentSigner", "SigningUnavailable")


@dataclass(frozen=True, slots=True)
class SignerRef:
    """The competent signer of one document: the approver of the step that issued a result, the officer
    who issued a legal form, the receiving officer of a counter scan."""

    user_id: int
    full_name: str
    agency_code: str
    agency_name: str
    role: str
    """Why this person signs: ``approver``, ``receiver`` (scans, form 01) or ``officer``."""


class SigningUnavailable(Exception):
    """The signer has no usable key or certificate (no token plugged in, remote service refused).

    The document job records the message and retries with back-off; ``retryable`` False gives up at once.
    """

    retryable = True


@runtime_checkable
class DocumentSigner(Protocol):
    """A signing service: makes a PAdES (ETSI.CAdES.detached) signature over a finished PDF."""

    name: str
    """Short identifier recorded with every signature (``software``, ``pkcs11``, ``remote:<vendor>``)."""

    async def sign_pdf(self, pdf: bytes, signer: SignerRef, *, reason: str, location: str) -> bytes:
        """Return ``pdf`` with one more signature, appended as an incremental update (the signed bytes
        begin with ``pdf`` byte for byte). Raise ``SigningUnavailable`` when the signer cannot sign."""
        ...

    def trust_roots(self) -> Sequence[bytes]:
        """DER certificates of the roots the verification page trusts for this service's signatures."""
        ...
