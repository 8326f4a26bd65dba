"""The business register: enterprises and household businesses, their owners, lines and history."""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = (
    "Business",
    "BusinessOwner",
    "BusinessLine",
    "BusinessHistory",
    "TaxCodeReservation",
    "TaxCodeCounter",
)


class Business(Table, tablename="bizreg_business"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    kind = Varchar(length=16)
    """``enterprise`` or ``household``."""
    enterprise_type = Varchar(length=16, default="")
    """``dntn``, ``tnhh1``, ``tnhh2``, ``cp`` (enterprises)."""
    name = Varchar(length=255)
    name_en = Varchar(length=255, default="")
    """Name in a foreign language (enterprises, optional)."""
    name_key = Varchar(length=255, index=True)
    """``names.fold(name)``: identical-name check."""
    core_key = Varchar(length=255, index=True)
    """``names.core_key(name)``: confusingly-similar check."""
    code = Varchar(length=16, unique=True)
    """Enterprise code = tax code (10 digits); for a household, the tax code issued with its registration."""
    address = Varchar(length=500)
    agency_id = Integer(index=True)
    """The registering agency (commune for households, the business registry for enterprises)."""
    charter_capital = BigInt(default=0)
    """Charter capital (enterprises) or business capital (households), integer VND."""
    phone = Varchar(length=32, default="")
    email = Varchar(length=255, default="")
    employees = Integer(default=0)
    status = Varchar(length=16, default="active")
    registered_on = Date(default=None, null=True)
    dossier_code = Varchar(length=64, default="")
    updated_at = Timestamptz()


class BusinessOwner(Table, tablename="bizreg_owner"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    business = ForeignKey(references=Business, index=True)
    role = Varchar(length=32)
    """``owner``, ``representative``, ``member``."""
    full_name = Varchar(length=255)
    cccd = Varchar(length=12, index=True)
    """Never shown to anyone but staff and the person."""
    birth_date = Date(default=None, null=True)
    address = Varchar(length=500, default="")
    """Residence (nơi cư trú), printed on the certificate; never on a public page."""
    active = Boolean(default=True)


class BusinessLine(Table, tablename="bizreg_line"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    business = ForeignKey(references=Business, index=True)
    vsic = Varchar(length=8)
    main = Boolean(default=False)


class BusinessHistory(Table, tablename="bizreg_history"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    business = ForeignKey(references=Business, index=True)
    dossier_code = Varchar(length=64)
    change = JSON(default={})
    at = Timestamptz()


class TaxCodeReservation(Table, tablename="bizreg_tax_code"):
    """The code the tax step issued for a dossier, used by the certificate at approval."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    dossier_code = Varchar(length=64, unique=True)
    code = Varchar(length=16, unique=True)
    at = Timestamptz()


class TaxCodeCounter(Table, tablename="bizreg_tax_counter"):
    """Last sequence used per province prefix (one row per prefix)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    prefix = Varchar(length=4, unique=True)
    last = Integer(default=0)
