"""Core's reference client of the national portal: JSON over HTTP (httpx) to
``MOTCUA_NATIONAL_PORTAL_URL`` with a bearer token (``MOTCUA_NATIONAL_PORTAL_TOKEN``).

The endpoints (docs/integration.md; the simulator in ``tests/fixtures/national_portal.py`` speaks them):

* ``POST /api/v1/dong-bo``: one dossier's data set → ``{"MaTiepNhan": ref, "TrungLap": bool}``;
* ``GET /api/v1/ho-so-moi``: ``{"HoSo": [...]}`` dossiers submitted on the portal, not acknowledged;
* ``POST /api/v1/ho-so-moi/{code}/xac-nhan`` with ``{"MaTiepNhanDiaPhuong": ref}``: acknowledged;
* ``GET /api/v1/doi-soat?ngay=YYYY-MM-DD``: ``{"HoSo": [...]}`` the portal's records changed that day.

A timeout, a refused connection or a 5xx/429 answer raises ``ConnectionError`` (retried with back-off
by the outbox); another 4xx raises ``PortalRejected`` (``retryable = False``: the message or the
configuration is wrong, and waits on the background-jobs page to be sent again once put right).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ("HttpNationalPortal", "PortalRejected", "from_environment", "DEFAULT_TIMEOUT")

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for the portal (``MOTCUA_NATIONAL_PORTAL_TIMEOUT``)."""


class PortalRejected(Exception):
    """The portal refused the request (4xx other than 429): sending it again unchanged will not help."""

    retryable = False


class HttpNationalPortal:
    """The reference client (see the module docstring)."""

    def __init__(self, base_url: str, token: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout, headers=headers) as c:
                response = await c.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ConnectionError(
                f"Cổng Dịch vụ công quốc gia không trả lời trong {self.timeout:g} giây ({method} {path})."
            ) from exc
        except httpx.TransportError as exc:
            raise ConnectionError(
                f"Không kết nối được Cổng Dịch vụ công quốc gia tại {self.base_url}: {exc}"
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ConnectionError(
                f"Cổng Dịch vụ công quốc gia trả lỗi {response.status_code} ({method} {path}): "
                f"{response.text[:300]}"
            )
        if response.status_code >= 400:
            raise PortalRejected(
                f"Cổng Dịch vụ công quốc gia từ chối yêu cầu ({response.status_code}, {method} {path}): "
                f"{response.text[:500]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectionError(
                f"Cổng Dịch vụ công quốc gia trả nội dung không phải JSON ({method} {path})."
            ) from exc

    async def push(self, message: Mapping[str, Any]) -> str:
        answer = await self._call("POST", "/api/v1/dong-bo", json=dict(message))
        return str(answer.get("MaTiepNhan") or "")

    async def pull(self) -> Sequence[Mapping[str, Any]]:
        answer = await self._call("GET", "/api/v1/ho-so-moi")
        items = answer.get("HoSo") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise ConnectionError("Cổng Dịch vụ công quốc gia trả danh sách hồ sơ không đúng dạng.")
        return [i for i in items if isinstance(i, dict)]

    async def acknowledge(self, code: str, reference: str) -> None:
        await self._call(
            "POST",
            f"/api/v1/ho-so-moi/{quote(code, safe='.-')}/xac-nhan",
            json={"MaTiepNhanDiaPhuong": reference},
        )

    async def snapshot(self, day: date) -> Sequence[Mapping[str, Any]]:
        answer = await self._call("GET", "/api/v1/doi-soat", params={"ngay": day.isoformat()})
        items = answer.get("HoSo") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise ConnectionError("Cổng Dịch vụ công quốc gia trả số liệu đối soát không đúng dạng.")
        return [i for i in items if isinstance(i, dict)]


def from_environment() -> HttpNationalPortal | None:
    """The reference client configured by ``MOTCUA_NATIONAL_PORTAL_URL`` (and ``_TOKEN``,
    ``_TIMEOUT``), or None when no address is set."""
    url = os.environ.get("MOTCUA_NATIONAL_PORTAL_URL", "").strip()
    if not url:
        return None
    try:
        timeout = float(os.environ.get("MOTCUA_NATIONAL_PORTAL_TIMEOUT", "") or DEFAULT_TIMEOUT)
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return HttpNationalPortal(url, os.environ.get("MOTCUA_NATIONAL_PORTAL_TOKEN", ""), timeout)
