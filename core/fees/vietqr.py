"""VietQR payloads (NAPAS, EMVCo Merchant-Presented Mode) for bank transfers of fees.

Layout (each field is ``ID`` + two-digit length + value)::

    00 "01"                      payload format indicator
    01 "12"                      point of initiation: dynamic (amount and purpose set per dossier)
    38 ┬ 00 "A000000727"         NAPAS GUID
       ├ 01 ┬ 00 BIN (6 digits)  beneficiary bank (acquirer id)
       │    └ 01 account number  beneficiary account
       └ 02 "QRIBFTTA"           service: inter-bank fund transfer to an account
    53 "704"                     currency (VND)
    54 amount                    integer VND
    58 "VN"                      country
    62 ─ 08 purpose              the dossier code, so the transfer is matched to the dossier
    63 CRC                       CRC-16/CCITT-FALSE over everything before it, "6304" included
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

__all__ = (
    "BankAccount",
    "crc16_ccitt_false",
    "build_payload",
    "parse_tlv",
    "treasury_account",
    "ascii_purpose",
    "transfer_purpose",
)

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"


@dataclass(frozen=True, slots=True)
class BankAccount:
    """Where fees are transferred to."""

    bin: str
    """Six-digit NAPAS bank identification number (e.g. ``970415``)."""
    number: str
    """Account number (up to 19 characters)."""
    name: str = ""
    """Account holder, shown beside the QR code (not part of the payload)."""


def crc16_ccitt_false(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor), 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"VietQR field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def ascii_purpose(text: str, limit: int = 25) -> str:
    """Transfer purpose as banks accept it: ASCII letters, digits, spaces and ``.-``, at most 25 characters."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^A-Za-z0-9 .\-]", "", text)[:limit]


def transfer_purpose(code: str) -> str:
    """The purpose written in a dossier's transfer: its code, whole (the field holds 25 characters).

    A code longer than that (a day's sequence past 9999 in the 2018 format) loses its dots instead of
    its last digits, so a statement line still names exactly one dossier.
    """
    return code if len(code) <= 25 else code.replace(".", "")


def build_payload(account: BankAccount, amount: int, purpose: str, *, dynamic: bool = True) -> str:
    """The VietQR string for transferring ``amount`` VND to ``account`` with ``purpose``.

    Raises:
        ValueError: On a malformed BIN or account, or a non-positive amount.
    """
    if not re.fullmatch(r"\d{6}", account.bin):
        raise ValueError("BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account.number):
        raise ValueError("account number must be 1–19 letters or digits")
    if amount <= 0:
        raise ValueError("amount must be positive")
    beneficiary = _tlv("00", account.bin) + _tlv("01", account.number)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12" if dynamic else "11")
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(int(amount)))
        + _tlv("58", "VN")
    )
    if purpose := ascii_purpose(purpose):
        body += _tlv("62", _tlv("08", purpose))
    body += "6304"
    return body + crc16_ccitt_false(body)


def parse_tlv(payload: str) -> dict[str, str]:
    """Top-level fields of an EMVCo payload (``{"00": "01", "38": "...", ...}``)."""
    out, i = {}, 0
    while i < len(payload):
        tag, length = payload[i : i + 2], int(payload[i + 2 : i + 4])
        out[tag] = payload[i + 4 : i + 4 + length]
        i += 4 + length
    return out


def treasury_account() -> BankAccount | None:
    """The account fees are paid into: ``MOTCUA_FEE_BANK_BIN`` / ``MOTCUA_FEE_ACCOUNT`` /
    ``MOTCUA_FEE_ACCOUNT_NAME`` (the treasury's collection account); None when not configured."""
    bin_, number = os.environ.get("MOTCUA_FEE_BANK_BIN", ""), os.environ.get("MOTCUA_FEE_ACCOUNT", "")
    if not bin_ or not number:
        return None
    return BankAccount(bin=bin_, number=number, name=os.environ.get("MOTCUA_FEE_ACCOUNT_NAME", ""))
