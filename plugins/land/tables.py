"""The land registry (cơ sở dữ liệu địa chính): parcels, certificates and their history.

A parcel is identified by the commune where it lies (the commune agency's code), the map sheet
(tờ bản đồ) and the parcel number (số thửa). A certificate (Giấy chứng nhận quyền sử dụng đất,
GCN) carries a pre-printed serial (số phát hành, two letters + six digits) and an entry number in
the issuing book (số vào sổ cấp GCN). Nothing here is edited without a ``CertificateEntry`` row.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

__all__ = ("Parcel", "Certificate", "CertificateEntry", "LandCounter")


class Parcel(Table, tablename="land_parcel"):
    """A land parcel of the cadastral map (bản đồ địa chính)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    commune_code = Varchar(length=32, index=True)
    """Code of the commune agency where the parcel lies (``Agency.code``): the route's commune."""
    map_sheet = Integer()
    """Map sheet number (số tờ bản đồ)."""
    parcel_number = Integer()
    """Parcel number on the sheet (số thửa)."""
    address = Varchar(length=255, default="")
    """Address of the parcel (thôn/ấp/khu phố, xã/phường)."""
    area = DoublePrecision(default=0.0)
    """Area in square metres, as measured on the cadastral map."""
    land_use_type = Varchar(length=8)
    """Land-use code (ONT, ODT, CLN, LUC, BHK, NTS, …; Circular 08/2024/TT-BTNMT)."""
    term = Varchar(length=64, default="Lâu dài")
    """Term of use as printed: ``Lâu dài`` or ``Đến ngày dd/mm/yyyy``."""
    term_until = Date(null=True, default=None)
    """Last day of use for limited-term land (None: long-term)."""
    origin = Varchar(length=255, default="")
    """Origin of use (nguồn gốc sử dụng) once registered."""
    dispute = Boolean(default=False, index=True)
    """A dispute or a court/enforcement block is pending: no registration may proceed."""
    dispute_note = Varchar(length=255, default="")
    """Public reference of the dispute (case number, receiving office) — no personal data."""
    registered = Boolean(default=False)
    """True once the first registration was completed (a certificate was issued)."""
    updated_at = Timestamptz()


class Certificate(Table, tablename="land_certificate"):
    """A certificate of land-use rights issued for one parcel."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    serial = Varchar(length=16, unique=True)
    """Pre-printed serial (số phát hành), ``AA 123456``."""
    book_number = Varchar(length=32, default="")
    """Entry in the issuing book (số vào sổ cấp GCN), ``CS 00123``."""
    parcel = ForeignKey(references=Parcel, index=True)
    holders = JSON(default=[])
    """``[{"name", "id_number", "birth_year", "address"}]``: the land users printed on it."""
    issue_date = Date(default=None, null=True)
    issued_by = Varchar(length=255, default="")
    """Name of the signing authority."""
    status = Varchar(length=16, default="valid", index=True)
    """``valid``, ``replaced`` (a newer certificate took over), ``cancelled``."""
    replaced_by = ForeignKey(references=LazyTableReference("Certificate", module_path=__name__), null=True)
    dossier_code = Varchar(length=64, default="")
    """The dossier that produced it (empty for certificates loaded from the old records)."""
    created_at = Timestamptz()


class CertificateEntry(Table, tablename="land_certificate_entry"):
    """One line of a certificate's history (issue, endorsement of a transfer, replacement)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    certificate = ForeignKey(references=Certificate, index=True)
    kind = Varchar(length=16)
    """``issued``, ``transfer``, ``reissued``, ``replaced``, ``cancelled``."""
    on = Date(default=None, null=True)
    note = Text(default="")
    data = JSON(default={})
    dossier_code = Varchar(length=64, default="")
    at = Timestamptz()


class LandCounter(Table, tablename="land_counter"):
    """Last number used in one numbering series (certificate serials, the issuing book)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    name = Varchar(length=64, unique=True)
    last = Integer(default=0)
