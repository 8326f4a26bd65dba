"""``motcua demo``: the demo province — agencies, procedures enabled, accounts of every role — then
each plugin's ``seed_demo_data``. Safe to run twice: every row is looked up before it is created.

The accounts are documented in ``docs/demo_accounts.md`` (``DEMO_USERS`` below is the source).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from core.catalogue.registry import get_catalogue
from core.catalogue.service import is_enabled, set_enabled
from core.contract.specs import AgencyRef
from core.contract.vntime import vn_today
from core.identity import service
from core.identity.tables import Agency, RoleGrant, User
from core.jobs import outbox
from core.plugins import await_me_maybe, get_plugin_manager

__all__ = ("DEMO_PASSWORD", "DEMO_USERS", "load", "agency_rows")

log = logging.getLogger("motcua.demo")

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - public on purpose (docs/demo_accounts.md)
"""One password for every demo account."""
PROVINCE_FILE = Path(__file__).resolve().parent / "demo_province.tsv"

DEMO_USERS: tuple[tuple[str, str, tuple[tuple[str, str], ...], str | None], ...] = (
    # (username, full name, ((agency key, role), ...), CCCD)
    ("quantri.tinh", "Lê Minh Quân", (("province", "province_admin"),), None),
    ("tiepnhan.tinh", "Phạm Thu Hà", (("centre", "receiver"),), None),
    ("lanhdao.tinh", "Đỗ Văn Hùng", (("centre", "approver"),), None),
    ("tiepnhan.phuong", "Nguyễn Thị Lan", (("ward", "receiver"),), None),
    ("chuyenvien.phuong", "Trần Quốc Bảo", (("ward", "specialist"),), None),
    ("lanhdao.phuong", "Võ Thanh Tùng", (("ward", "approver"),), None),
    ("quantri.phuong", "Huỳnh Ngọc Mai", (("ward", "agency_admin"),), None),
    ("tiepnhan.xa", "Lý Thị Hồng", (("commune", "receiver"),), None),
    ("chuyenvien.xa", "Bùi Văn Nam", (("commune", "specialist"),), None),
    ("lanhdao.xa", "Đặng Văn Long", (("commune", "approver"),), None),
    ("tiepnhan.longkhanh", "Mai Thị Thảo", (("ward2", "receiver"),), None),
    ("chuyenvien.longkhanh", "Phan Đức Anh", (("ward2", "specialist"),), None),
    ("lanhdao.longkhanh", "Trương Văn Phúc", (("ward2", "approver"),), None),
    ("tiepnhan.dinhquan", "Hồ Thị Yến", (("commune2", "receiver"),), None),
    ("chuyenvien.dinhquan", "Ngô Văn Sơn", (("commune2", "specialist"),), None),
    ("lanhdao.dinhquan", "Dương Văn Khoa", (("commune2", "approver"),), None),
    ("chuyenvien.datdai", "Vũ Thị Ngọc", (("land_office", "specialist"),), None),
    ("lanhdao.datdai", "Tạ Quang Vinh", (("land_office", "approver"),), None),
    ("canbo.dkkd", "Cao Thị Minh", (("bizreg", "specialist"),), None),
    ("lanhdao.dkkd", "Lâm Văn Toàn", (("bizreg", "approver"),), None),
    ("chuyenvien.tuphap", "Kiều Thị Loan", (("justice", "specialist"),), None),
    ("canbo.thue", "Châu Văn Thịnh", (("tax", "specialist"),), None),
    ("canbo.congan", "Tôn Thất Dũng", (("police", "specialist"),), None),
    ("canbo.bhxh", "La Thị Xuân", (("social_insurance", "specialist"),), None),
    ("canbo.khobac", "Quách Văn Lộc", (("treasury", "specialist"),), None),
    ("buudien", "Thái Văn Bình", (("post", "postal_agent"),), None),
    ("nguyenvana", "Nguyễn Văn A", (("province", "citizen"),), "075089001234"),
    ("tranthib", "Trần Thị B", (("province", "citizen"),), "075195004321"),
    ("lethic", "Lê Thị C", (("province", "citizen"),), "079302000123"),
)
"""The demo accounts: username, full name, grants ``(agency key, role)``, CCCD for citizens."""


def agency_rows() -> list[dict]:
    """The demo province's agencies, parents first (from ``demo_province.tsv``)."""
    rows = []
    for line in PROVINCE_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, code, name, level, kind, parent, remote = (line.split("\t") + [""] * 7)[:7]
        rows.append(
            {
                "key": key,
                "code": code,
                "name": name,
                "level": level,
                "kind": kind or None,
                "parent": parent or None,
                "remote_area": remote.strip() == "1",
            }
        )
    return rows


async def _agencies() -> dict[str, AgencyRef]:
    """Create the agencies that are missing; ``{key: AgencyRef}`` for all of them."""
    existing = {
        r["code"]: r
        for r in await Agency.select(Agency.id, Agency.code, Agency.name, Agency.level, Agency.kind)
    }
    out: dict[str, AgencyRef] = {}
    for r in agency_rows():
        row = existing.get(r["code"])
        if row is None:  # through the service: codes and levels checked, creation audited
            agency_id = await service.add_agency(
                None,
                code=r["code"],
                name=r["name"],
                level=r["level"],
                kind=r["kind"],
                remote_area=r["remote_area"],
                province_code="75",
                parent_code=out[r["parent"]].code if r["parent"] else None,
            )
            row = {
                "id": agency_id,
                "code": r["code"],
                "name": r["name"],
                "level": r["level"],
                "kind": r["kind"],
            }
        out[r["key"]] = AgencyRef(row["id"], row["code"], row["name"], row["level"], row["kind"])
    return out


async def _users(agencies: dict[str, AgencyRef]) -> dict[str, int]:
    """Create the missing accounts and grants; ``{username: id}``."""
    ids = {r["username"]: r["id"] for r in await User.select(User.id, User.username)}
    held = {
        (g["user"], g["agency"], g["role"])
        for g in await RoleGrant.select(RoleGrant.user, RoleGrant.agency, RoleGrant.role)
    }
    out: dict[str, int] = {}
    shared_hash = service.hash_password(DEMO_PASSWORD) if len(ids) < len(DEMO_USERS) else None
    for n, (username, full_name, grants, cccd) in enumerate(DEMO_USERS):
        user_id = ids.get(username)
        if user_id is None:
            user_id = await service.create_user(
                username,
                full_name,
                DEMO_PASSWORD,
                cccd=cccd,
                phone=f"09{n:08d}",
                email=f"{username}@demo.motcua.vn",
                password_hash=shared_hash,
            )
        for key, role in grants:
            if (user_id, agencies[key].id, role) not in held:
                await service.grant_role(None, user_id, agencies[key].id, role)
        out[username] = user_id
    return out


async def _enable_procedures(agencies: dict[str, AgencyRef]) -> int:
    """Commune-level procedures at every commune; department-level ones at the service centre."""
    enabled = 0
    targets = {
        "commune": [a for a in agencies.values() if a.level == "commune"],
        "department": [agencies["centre"]],
        "province": [agencies["centre"]],
    }
    for spec in get_catalogue().procedures.values():
        for agency in targets.get(
            spec.agency_level, [a for a in agencies.values() if a.level == spec.agency_level]
        ):
            if not await is_enabled(spec.code, agency.id):
                await set_enabled(spec.code, agency.id, True)
                enabled += 1
    return enabled


async def load(today: date | None = None) -> dict[str, dict]:
    """Load (or complete) the demo province; idempotent.

    Returns:
        ``{"agencies": {code: AgencyRef}, "users": {username: id}}``, as passed to the plugins.
    """
    today = today or vn_today()
    agencies = await _agencies()
    users = await _users(agencies)
    enabled = await _enable_procedures(agencies)
    log.info(
        "demo: %s agencies, %s accounts, %s procedure switches turned on", len(agencies), len(users), enabled
    )
    ctx: dict[str, Any] = {
        "agencies": {a.code: a for a in agencies.values()},
        "users": dict(users),
        "today": today,
    }
    with outbox.bulk():  # the demo's PDFs and messages run after anything a person does meanwhile
        for result in get_plugin_manager().hook.seed_demo_data(ctx=ctx):
            await await_me_maybe(result)
    return {"agencies": ctx["agencies"], "users": ctx["users"]}
