"""The agency tree: a directory loaded in one query, and the tree queries built on it.

A two-tier province (since 1 July 2025) is province → departments / communes; a three-tier one has
district-level units between the province and its communes. Sector agencies (police, tax, treasury,
social insurance, post) hang under the province with their ``kind``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.catalogue.specs import AgencyRef
from core.identity.tables import Agency

__all__ = ("AgencyNode", "AgencyDirectory", "agency_directory", "children", "ancestors", "ancestor_at_level",
           "sector", "by_code")

_COLUMNS = (Agency.id, Agency.code, Agency.name, Agency.short_name, Agency.level, Agency.kind, Agency.parent,
            Agency.province_code, Agency.active, Agency.remote_area)


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
                id=r["id"], code=r["code"], name=r["name"], level=r["level"], kind=r["kind"],
                parent_id=r["parent"], short_name=r.get("short_name") or "", active=bool(r.get("active", True)),
                remote_area=bool(r.get("remote_area", False)),
            )
        self._codes = {n.code: n for n in self._nodes.values()}
        for node in sorted(self._nodes.values(), key=lambda n: n.code):
            if node.parent_id in self._nodes:
                self._nodes[node.parent_id].children.append(node)

    def __len__(self) -> int:
        return len(self._nodes)

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
        return sorted((n for n in self._nodes.values() if n.parent_id not in self._nodes), key=lambda n: n.code)

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
        return sorted((n.ref for n in self._nodes.values() if n.level == level and n.active), key=lambda a: a.code)

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
