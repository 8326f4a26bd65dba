"""The agency tree: a directory loaded in one query, and the tree queries built on it.

A two-tier province (since 1 July 2025) is province → departments / communes; a three-tier one has
district-level units between the province and its communes. Sector agencies (police, tax, treasury,
social insurance, post) hang under the province with their ``kind``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.contract.specs import AGENCY_LEVELS, AgencyRef
from core.identity.tables import Agency

__all__ = (
    "AgencyNode",
    "AgencyDirectory",
    "agency_directory",
    "children",
    "ancestors",
    "ancestor_at_level",
    "sector",
    "by_code",
    "QCVN102_CODE",
    "EID_CODE",
    "PARENT_LEVELS",
    "agency_code_error",
    "eid_error",
    "parent_level_error",
    "AGENCY_KINDS",
    "MAX_NAME",
    "work_sessions_error",
    "parse_work_sessions",
)

QCVN102_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$")
"""Agency code of QCVN 102:2016/BTTTT: three groups of digits for the subordinate levels, then the level-1
unit (``G..`` ministry, ``H..`` province), e.g. ``000.00.00.H39`` (the province), ``000.30.31.H39``."""
EID_CODE = re.compile(r"^[A-Z]\d{2}(\.\d{3}(\.\d{2})?)?$")
"""Electronic identifier of QĐ 20/2020/QĐ-TTg (amended by QĐ 09/2025): ``MX1X2[.Y1Y2Y3[.Z1Z2]]``,
e.g. ``G01``, ``H55``, ``H55.242``."""
PARENT_LEVELS: dict[str, tuple[str | None, ...]] = {
    "province": (None,),
    "department": ("province", "department"),
    "district": ("province",),
    "commune": (
        "province",
        "district",
    ),  # two-tier (since 1 July 2025): under the province; three-tier: district
    "sector": ("province", "sector", "district"),
}
"""Which level an agency's parent may have (None: a root)."""
AGENCY_KINDS: tuple[str, ...] = (
    "tax",
    "police",
    "treasury",
    "social_insurance",
    "post",
    "business_registry",
    "land_registry",
)
"""Sector kinds (``Agency.kind``): a sector agency has one; a department may have one too (a registry)."""
MAX_NAME = 255
"""Longest agency name (``Agency.name`` is a Varchar(255))."""
_SESSION = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
LEVEL_NAMES_VI = {
    "province": "cấp tỉnh",
    "department": "sở, ngành",
    "district": "cấp huyện",
    "commune": "cấp xã",
    "sector": "ngành dọc",
}


def agency_code_error(code: str) -> str | None:
    """None when ``code`` has the QCVN 102 form, else a Vietnamese message for the field."""
    if not code:
        return "Vui lòng nhập mã cơ quan (mã định danh theo QCVN 102:2016/BTTTT, ví dụ 000.00.01.H39)."
    if not QCVN102_CODE.match(code):
        return (
            f'Mã cơ quan "{code[:40]}" chưa đúng định dạng QCVN 102:2016/BTTTT: ba nhóm chữ số rồi mã đơn vị '
            "cấp 1 (G hoặc H và 2 chữ số), ví dụ 000.00.01.H39."
        )
    return None


def eid_error(eid: str | None) -> str | None:
    """None when ``eid`` is empty or has the QĐ 20/2020 form, else a Vietnamese message for the field."""
    if eid and not EID_CODE.match(eid):
        return (
            f'Mã định danh điện tử "{eid[:40]}" chưa đúng định dạng QĐ 20/2020/QĐ-TTg: một chữ cái in hoa và '
            "2 chữ số, có thể thêm .3 chữ số và .2 chữ số, ví dụ H39 hoặc H55.242."
        )
    return None


def parent_level_error(level: str, parent_level: str | None) -> str | None:
    """None when an agency at ``level`` may sit under a parent at ``parent_level`` (None: no parent)."""
    if level not in AGENCY_LEVELS:
        return f'Cấp cơ quan "{level}" không tồn tại.'
    if parent_level in PARENT_LEVELS[level]:
        return None
    if parent_level is None:
        return f"Cơ quan {LEVEL_NAMES_VI[level]} phải thuộc một cơ quan cấp trên."
    allowed = ", ".join(LEVEL_NAMES_VI[p] for p in PARENT_LEVELS[level] if p)
    return (
        f"Cơ quan {LEVEL_NAMES_VI[level]} không thể trực thuộc cơ quan {LEVEL_NAMES_VI[parent_level]}"
        f"{f' (chỉ trực thuộc: {allowed})' if allowed else ' (cấp tỉnh là gốc của cây)'}."
    )


def parse_work_sessions(text: str) -> list[list[str]] | None:
    """``"08:00-12:00, 13:00-17:00"`` as ``[["08:00", "12:00"], ["13:00", "17:00"]]``; None when malformed."""
    parts = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    sessions: list[list[str]] = []
    for part in parts:
        m = _SESSION.match(part)
        if not m:
            return None
        sessions.append([f"{m[1]}:{m[2]}", f"{m[3]}:{m[4]}"])
    return sessions


def work_sessions_error(text: str) -> str | None:
    """None when ``text`` lists working sessions in order without overlap, else a Vietnamese message."""
    sessions = parse_work_sessions(text)
    if sessions is None or not sessions:
        return (
            "Vui lòng nhập các buổi làm việc dạng giờ bắt đầu-giờ kết thúc, cách nhau bằng dấu phẩy, "
            "ví dụ 07:30-11:30, 13:30-17:00."
        )
    last = "00:00"
    for start, end in sessions:
        if not start < end:
            return f"Buổi làm việc {start}-{end}: giờ kết thúc phải sau giờ bắt đầu."
        if start < last:
            return f"Buổi làm việc {start}-{end} trùng hoặc đứng trước buổi trước đó; hãy nhập theo thứ tự trong ngày."
        last = end
    return None


_COLUMNS = (
    Agency.id,
    Agency.code,
    Agency.eid,
    Agency.name,
    Agency.short_name,
    Agency.level,
    Agency.kind,
    Agency.parent,
    Agency.province_code,
    Agency.active,
    Agency.remote_area,
)


@dataclass(frozen=True, slots=True)
class AgencyNode:
    """One agency of the directory, with its place in the tree."""

    id: int
    code: str
    name: str
    level: str
    kind: str | None
    parent_id: int | None
    short_name: str = ""
    active: bool = True
    remote_area: bool = False
    eid: str = ""
    """Electronic identifier (QĐ 20/2020), when recorded."""
    children: list[AgencyNode] = field(default_factory=list, compare=False, repr=False)

    @property
    def ref(self) -> AgencyRef:
        return AgencyRef(self.id, self.code, self.name, self.level, self.kind)


class AgencyDirectory:
    """Every agency, indexed by id and code; all lookups are in memory (no query after loading)."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self._nodes: dict[int, AgencyNode] = {}
        for r in rows:
            self._nodes[r["id"]] = AgencyNode(
                id=r["id"],
                code=r["code"],
                name=r["name"],
                level=r["level"],
                kind=r["kind"],
                parent_id=r["parent"],
                short_name=r.get("short_name") or "",
                active=bool(r.get("active", True)),
                remote_area=bool(r.get("remote_area", False)),
                eid=r.get("eid") or "",
            )
        self._codes = {n.code: n for n in self._nodes.values()}
        for node in sorted(self._nodes.values(), key=lambda n: n.code):
            if node.parent_id in self._nodes:
                self._nodes[node.parent_id].children.append(node)

    def __len__(self) -> int:
        return len(self._nodes)

    def nodes(self) -> list[AgencyNode]:
        """Every agency, by code."""
        return sorted(self._nodes.values(), key=lambda n: n.code)

    def node(self, agency_id: int | None) -> AgencyNode | None:
        return self._nodes.get(agency_id) if agency_id is not None else None

    def by_id(self, agency_id: int | None) -> AgencyRef | None:
        node = self.node(agency_id)
        return node.ref if node else None

    def by_code(self, code: str) -> AgencyRef | None:
        node = self._codes.get(code)
        return node.ref if node else None

    def parent_id(self, agency_id: int) -> int | None:
        node = self.node(agency_id)
        return node.parent_id if node else None

    def children(self, agency_id: int | None) -> list[AgencyRef]:
        """Direct children, by code (roots when ``agency_id`` is None)."""
        if agency_id is None:
            return [n.ref for n in self.roots()]
        node = self.node(agency_id)
        return [c.ref for c in node.children] if node else []

    def roots(self) -> list[AgencyNode]:
        return sorted(
            (n for n in self._nodes.values() if n.parent_id not in self._nodes), key=lambda n: n.code
        )

    def ancestors(self, agency_id: int) -> list[AgencyRef]:
        """From the parent up to the root (the agency itself excluded)."""
        out: list[AgencyRef] = []
        node = self.node(self.parent_id(agency_id))
        while node is not None and len(out) < 32:  # a cycle in bad data must not hang a request
            out.append(node.ref)
            node = self.node(node.parent_id)
        return out

    def ancestor(self, agency_id: int, level: str) -> AgencyRef | None:
        """The agency itself when it is at ``level``, else its nearest ancestor at ``level``."""
        node = self.node(agency_id)
        if node is None:
            return None
        if node.level == level:
            return node.ref
        return next((a for a in self.ancestors(agency_id) if a.level == level), None)

    def province_of(self, agency_id: int) -> AgencyRef | None:
        return self.ancestor(agency_id, "province")

    def descendants(self, agency_id: int) -> list[AgencyRef]:
        out: list[AgencyRef] = []
        stack = list(reversed(self._nodes[agency_id].children)) if agency_id in self._nodes else []
        while stack:
            node = stack.pop()
            out.append(node.ref)
            stack.extend(reversed(node.children))
        return out

    def sector(self, kind: str, under: int | None = None) -> AgencyRef | None:
        """The active agency of ``kind`` (``tax``, ``police``…), within the province ``under`` when given."""
        pool = self.descendants(under) if under is not None else [n.ref for n in self._nodes.values()]
        found = sorted((a for a in pool if a.kind == kind and self._nodes[a.id].active), key=lambda a: a.code)
        return found[0] if found else None

    def at_level(self, level: str) -> list[AgencyRef]:
        return sorted(
            (n.ref for n in self._nodes.values() if n.level == level and n.active), key=lambda a: a.code
        )

    def tiers(self, province_id: int) -> int:
        """3 when the province has district-level units, else 2 (the model since July 2025)."""
        return 3 if any(a.level == "district" for a in self.descendants(province_id)) else 2


async def agency_directory() -> AgencyDirectory:
    """Every agency in ONE query (the engine's routing lookup; constant query count)."""
    return AgencyDirectory(await Agency.select(*_COLUMNS))


async def children(agency_id: int | None) -> list[AgencyRef]:
    return (await agency_directory()).children(agency_id)


async def ancestors(agency_id: int) -> list[AgencyRef]:
    return (await agency_directory()).ancestors(agency_id)


async def ancestor_at_level(agency_id: int, level: str) -> AgencyRef | None:
    return (await agency_directory()).ancestor(agency_id, level)


async def sector(kind: str, province_id: int | None = None) -> AgencyRef | None:
    return (await agency_directory()).sector(kind, under=province_id)


async def by_code(code: str) -> AgencyRef | None:
    row = await Agency.select(*_COLUMNS).where(Agency.code == code).first()
    return AgencyRef(row["id"], row["code"], row["name"], row["level"], row["kind"]) if row else None
