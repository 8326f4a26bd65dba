"""Registry look-ups and numbering shared by validation, routing, results and pages.

Every function runs on the current connection, so inside core's transaction it sees (and writes)
what that transaction sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from core.api import L, RegistrySpec, load_json
from plugins.land.tables import Certificate, CertificateEntry, LandCounter, Parcel

__all__ = (
    "as_int",
    "normalise_serial",
    "find_parcel",
    "find_certificate",
    "valid_certificate_of",
    "holds",
    "next_number",
    "certificate_history",
    "REGISTRY",
)

_SERIAL = re.compile(r"^([A-Za-z]{2})\s?(\d{6})$")


def as_int(value: Any) -> int | None:
    """An integer from a form answer (``"12"``, ``12``, ``12.0``), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        f = float(str(value).strip().replace(" ", ""))
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def normalise_serial(value: Any) -> str | None:
    """``"da123456"`` / ``"DA 123456"`` → ``"DA 123456"``; None when it is not a serial."""
    m = _SERIAL.match(str(value or "").strip())
    return f"{m.group(1).upper()} {m.group(2)}" if m else None


async def find_parcel(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The parcel named by ``commune_code`` + ``map_sheet`` + ``parcel_number`` in the answers."""
    sheet, number = as_int(data.get("map_sheet")), as_int(data.get("parcel_number"))
    commune = str(data.get("commune_code") or "").strip()
    if not commune or sheet is None or number is None:
        return None
    return (
        await Parcel.select()
        .where(
            (Parcel.commune_code == commune) & (Parcel.map_sheet == sheet) & (Parcel.parcel_number == number)
        )
        .first()
    )


async def find_certificate(serial: Any) -> dict[str, Any] | None:
    norm = normalise_serial(serial)
    if norm is None:
        return None
    row = await Certificate.select().where(Certificate.serial == norm).first()
    if row is not None:
        row["holders"] = load_json(row["holders"]) or []
    return row


async def valid_certificate_of(parcel_id: int) -> dict[str, Any] | None:
    """The parcel's certificate in force, if any."""
    row = (
        await Certificate.select()
        .where((Certificate.parcel == parcel_id) & (Certificate.status == "valid"))
        .first()
    )
    if row is not None:
        row["holders"] = load_json(row["holders"]) or []
    return row


def _fold(text: Any) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).strip().lower()
    return " ".join(text.split())


def holds(certificate: Mapping[str, Any], id_number: Any, name: Any = None) -> bool:
    """Whether the person (citizen ID, and the name when given) is a holder of the certificate."""
    ident = str(id_number or "").strip()
    for h in certificate.get("holders") or []:
        if str(h.get("id_number") or "") == ident and (name is None or _fold(h.get("name")) == _fold(name)):
            return True
    return False


async def next_number(name: str, start: int = 0) -> int:
    """Take the next number of series ``name`` (atomic: one ``UPDATE … RETURNING``)."""
    await LandCounter.raw(
        "INSERT INTO land_counter (name, last) VALUES ({}, {}) ON CONFLICT (name) DO NOTHING", name, start
    )
    rows = await LandCounter.raw(
        "UPDATE land_counter SET last = last + 1 WHERE name = {} RETURNING last", name
    )
    return int(rows[0]["last"])


async def certificate_history(certificate_id: int) -> list[dict[str, Any]]:
    rows = (
        await CertificateEntry.select()
        .where(CertificateEntry.certificate == certificate_id)
        .order_by(CertificateEntry.id)
    )
    for r in rows:
        r["data"] = load_json(r["data"]) or {}
    return rows


def _dossier_codes(record: Mapping[str, Any]) -> list[str]:
    codes = []
    for cert in record.get("certificates") or ():
        codes.append(cert.get("dossier_code"))
        codes += [e.get("dossier_code") for e in cert.get("history") or ()]
    return [c for c in codes if c]


_PARCEL_KEYS = ("commune_code", "map_sheet", "parcel_number")
"""The answers that name a parcel in a land dossier."""

REGISTRY = RegistrySpec(
    id="land.parcels",
    name=L("Cơ sở dữ liệu địa chính (thửa đất, Giấy chứng nhận)", "Land registry (parcels, certificates)"),
    personal=("certificates.*.holders", "certificates.*.history.*.data"),
    key=lambda parcel: str(parcel["id"]),
    keeper_kinds=("land_registry",),
    keeper=lambda parcel: parcel.get("commune_code") or None,
    dossier_codes=_dossier_codes,
    dossier_answers=lambda parcel: [{k: parcel.get(k) for k in _PARCEL_KEYS}],
)
"""The land registry under core's personal-data rule: a parcel's record (with its ``certificates``, each
with ``holders`` and ``history``) is kept by the land registration office and by the commune where the
parcel lies; a dossier naming the parcel (commune, map sheet, parcel number) is about it. The holders
(names, ID numbers, birth years, addresses) are personal."""
