"""A small business register and the people who act on business dossiers in the standard province
(tests/fixtures/builders.standard_tree)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.identity.api_auth import issue_token
from core.identity.tables import User
from plugins.business_reg import names, taxcode
from plugins.business_reg.tables import Business, BusinessLine, BusinessOwner
from tests.fixtures.builders import grant

WARD = "000.30.31.H39"
CENTRE = "000.00.01.H39"
BIZREG = "000.03.01.H39"
TAX = "000.40.01.H39"

EXISTING_CODE = taxcode.make("36", 9_000_001)
"""Enterprise code of "Công ty TNHH Sông Đồng Nai" (a valid check digit)."""
EXISTING_REP = {"name": "Phạm Văn Đông", "cccd": "075080007777"}
HOUSEHOLD_CODE = taxcode.make("36", 9_000_002)
HOUSEHOLD_OWNER = {"name": "Đinh Thị Thu", "cccd": "075185009999"}


async def seed_register(tree: dict) -> dict:
    """One enterprise (with a legal representative and two lines) and one household at the ward."""
    now = datetime.now(UTC)
    out = {}
    for key, kind, etype, name, code, address, agency, capital, person, role in (
        (
            "enterprise",
            "enterprise",
            "tnhh1",
            "Công ty TNHH Sông Đồng Nai",
            EXISTING_CODE,
            "Số 5 đường 30/4, phường Trấn Biên",
            tree["bizreg"]["id"],
            2_000_000_000,
            EXISTING_REP,
            "representative",
        ),
        (
            "household",
            "household",
            "",
            "Hộ kinh doanh Thu Hương",
            HOUSEHOLD_CODE,
            "Tổ 3, khu phố 2, phường Trấn Biên",
            tree["ward"]["id"],
            50_000_000,
            HOUSEHOLD_OWNER,
            "owner",
        ),
    ):
        rows = await Business.insert(
            Business(
                kind=kind,
                enterprise_type=etype,
                name=name,
                name_key=names.fold(name),
                core_key=names.core_key(name),
                code=code,
                address=address,
                agency_id=agency,
                charter_capital=capital,
                status="active",
                registered_on=date(2024, 5, 6),
                dossier_code="",
                updated_at=now,
            )
        ).returning(Business.id)
        out[key] = rows[0]["id"]
        await BusinessOwner.insert(
            BusinessOwner(business=out[key], role=role, full_name=person["name"], cccd=person["cccd"])
        )
        await BusinessLine.insert(
            BusinessLine(business=out[key], vsic="4632", main=True),
            BusinessLine(business=out[key], vsic="4722", main=False),
        )
    return out


class Actors:
    """API tokens of the people who act on business dossiers."""

    def __init__(self, tree):
        self.tree = tree
        self.tokens: dict[str, str] = {}
        self.users: dict[str, dict] = {}

    async def add(self, key: str, agency: str | None, role: str | None, cccd: str | None = None) -> dict:
        row = User(
            username=key,
            full_name=key.replace("_", " ").title(),
            cccd=cccd,
            phone="0912345678",
            email=f"{key}@example.vn",
            password_hash="!",
            created_at=datetime.now(UTC),
        )
        await row.save()
        user = {"id": row.id, "username": key}
        if agency:
            await grant(user, self.tree[agency], role)
        self.tokens[key] = await issue_token(user["id"], "test")
        self.users[key] = user
        return user

    def h(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}
