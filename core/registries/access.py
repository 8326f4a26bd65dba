"""Who sees the personal part of a registry record, the split into public and personal parts, and the
audit row written for every read of personal data by staff.

The rule, for a registry declared with ``register_registries`` (``RegistrySpec``):

* staff of an agency that keeps the registry (its kind is one of ``keeper_kinds``) or keeps the record
  (``keeper(record)``) see the whole record;
* staff of an agency that holds an **active** step on a dossier about the record (its code is one of
  ``dossier_codes(record)``, or its answers hold one of ``dossier_answers(record)``) see it too;
* everyone else gets the public part: the ``personal`` paths removed. Citizens and visitors are never
  given personal data here (pages that show a citizen their own data do so themselves, as before).

"Staff of an agency" is a role at that very agency other than ``citizen`` and ``postal_agent``. Each
record shown whole to staff writes one ``registry_personal_read`` row on the audit chain of the agency
through which it was allowed (who, when, which registry and record, why).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.audit import chain as audit
from core.contract.specs import ROLES, AgencyRef, RegistrySpec
from core.contract.views import KeeperScope, RecordView

__all__ = (
    "STAFF_ROLES",
    "registry_spec",
    "split_personal",
    "keeper_scope",
    "registry_view",
    "registry_views",
    "READ_ACTION",
    "LIST_ACTION",
)

STAFF_ROLES: frozenset[str] = frozenset(ROLES) - {"citizen", "postal_agent"}
"""Roles that make a user staff of the agency where they hold them (for registries)."""
READ_ACTION = "registry_personal_read"
"""Audit action of one record shown whole to staff."""
LIST_ACTION = "registry_personal_list"
"""Audit action of a list (a search result) that showed the personal part of several records."""


def registry_spec(registry_id: str) -> RegistrySpec:
    """The declared registry ``registry_id``; a ``LookupError`` names it when no plugin declared it."""
    from core.catalogue.registry import get_catalogue

    spec = get_catalogue().registries.get(registry_id)
    if spec is None:
        raise LookupError(f"Registry '{registry_id}' is not declared by any plugin (register_registries).")
    return spec


def _remove(obj: Any, parts: Sequence[str], found: list[Any]) -> None:
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(obj, list):
            for item in obj:
                _remove(item, rest, found)
        return
    if not isinstance(obj, dict) or head not in obj:
        return
    if rest:
        _remove(obj[head], rest, found)
    else:
        found.append(obj.pop(head))


def split_personal(
    spec: RegistrySpec | str, record: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """``(public part, personal part)`` of a record: the public part is a copy without the ``personal``
    paths; the personal part maps each path to the values removed there (the record is not changed)."""
    spec = registry_spec(spec) if isinstance(spec, str) else spec
    public = copy.deepcopy(dict(record))
    personal: dict[str, list[Any]] = {}
    for path in spec.personal:
        found: list[Any] = []
        _remove(public, path.split("."), found)
        personal[path] = found
    return public, personal


def _staff_agency_ids(user: Any) -> set[int]:
    if user is None:
        return set()
    return {agency_id for agency_id, role in getattr(user, "grants", ()) if role in STAFF_ROLES}


async def _agencies(ids: Iterable[int]) -> list[AgencyRef]:
    from core.identity.tables import Agency

    ids = sorted(set(ids))
    if not ids:
        return []
    rows = await Agency.select(Agency.id, Agency.code, Agency.name, Agency.level, Agency.kind).where(
        Agency.id.is_in(ids)
    )
    return [AgencyRef(r["id"], r["code"], r["name"], r["level"], r["kind"]) for r in rows]


async def keeper_scope(registry_id: str, user: Any) -> KeeperScope:
    """What ``user`` keeps of the registry: everything, or the records kept by their staff agencies."""
    spec = registry_spec(registry_id)
    agencies = await _agencies(_staff_agency_ids(user))
    everything = any(a.kind in spec.keeper_kinds for a in agencies if a.kind)
    return KeeperScope(everything=everything, agencies=tuple(sorted(agencies, key=lambda a: a.code)))


def _norm(value: Any) -> str:
    return "".join(str(value).split()).casefold() if value is not None else ""


def _answers_match(answers: Mapping[str, Any], wanted: Iterable[Mapping[str, Any]]) -> bool:
    return any(
        need and all(_norm(v) and _norm(answers.get(k)) == _norm(v) for k, v in need.items())
        for need in wanted
    )


async def _active_dossiers(
    spec: RegistrySpec, agency_ids: list[int], codes: set[str], by_answers: bool
) -> list[dict[str, Any]]:
    """Dossiers with an active step at one of ``agency_ids`` that may be about a record: those whose
    code is in ``codes``, and (``by_answers``) those of the registry's domain. One query."""
    from core.dossiers.tables import DossierStep

    if not agency_ids or not (codes or by_answers):
        return []
    linked: Any = None  # a Piccolo condition once built (codes or by_answers is set)
    if codes:
        linked = DossierStep.dossier.code.is_in(sorted(codes))
    if by_answers:
        same_domain = DossierStep.dossier.domain == spec.id.split(".")[0]
        linked = same_domain if linked is None else (linked | same_domain)
    rows = (
        await DossierStep.select(
            DossierStep.agency,
            DossierStep.dossier.code.as_alias("code"),
            DossierStep.dossier.data.as_alias("data"),
        )
        .where((DossierStep.status == "active") & DossierStep.agency.is_in(agency_ids) & linked)
        .order_by(DossierStep.id)
    )
    for r in rows:
        if isinstance(r["data"], str):
            try:
                r["data"] = json.loads(r["data"] or "{}")
            except ValueError:
                r["data"] = {}
        if not isinstance(r["data"], dict):
            r["data"] = {}
    return rows


def _codes(spec: RegistrySpec, record: Mapping[str, Any]) -> set[str]:
    return {str(c) for c in (spec.dossier_codes(record) if spec.dossier_codes else ()) if c}


def _wanted(spec: RegistrySpec, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [w for w in (spec.dossier_answers(record) if spec.dossier_answers else ()) if w]


async def registry_views(
    registry_id: str,
    records: Sequence[Mapping[str, Any]],
    user: Any,
    *,
    query: Mapping[str, Any] | None = None,
) -> list[RecordView]:
    """Apply the rule to each record; with more than one record shown whole, write ONE audit row listing
    them (a search result), with a single record one ``registry_personal_read`` row.

    Args:
        registry_id: The declared registry (``<domain>.<name>``).
        records: The records as the page will render them (plain mappings).
        user: The signed-in user's view (``UserView``) or None.
        query: For a search, what was searched (written in the audit row).

    Returns:
        One ``RecordView`` per record, in order.
    """
    spec = registry_spec(registry_id)
    staff_ids = _staff_agency_ids(user)
    if not staff_ids or not records:
        return [RecordView(record=split_personal(spec, r)[0], personal=False) for r in records]
    scope = await keeper_scope(registry_id, user)
    by_id = {a.id: a for a in scope.agencies}
    kind_keeper = next((a for a in scope.agencies if a.kind and a.kind in spec.keeper_kinds), None)
    decisions: list[tuple[str, AgencyRef | None, str]] = []
    pending: list[int] = []
    for i, record in enumerate(records):
        if kind_keeper is not None:
            decisions.append(("keeper", kind_keeper, ""))
            continue
        own = scope.keeping(spec.keeper(record) if spec.keeper else None)
        decisions.append(("keeper", own, "") if own else ("", None, ""))
        if own is None:
            pending.append(i)
    if pending:
        codes = set().union(*(_codes(spec, records[i]) for i in pending))
        wanted = {i: _wanted(spec, records[i]) for i in pending}
        dossiers = await _active_dossiers(spec, sorted(staff_ids), codes, any(wanted.values()))
        for i in pending:
            own_codes = _codes(spec, records[i])
            hit = next(
                (d for d in dossiers if d["code"] in own_codes or _answers_match(d["data"], wanted[i])), None
            )
            if hit is not None:
                decisions[i] = ("dossier", by_id.get(hit["agency"]), hit["code"] or "")
    views = [
        RecordView(record=dict(r), personal=True, reason=reason, agency=agency, dossier_code=code)
        if reason
        else RecordView(record=split_personal(spec, r)[0], personal=False)
        for r, (reason, agency, code) in zip(records, decisions, strict=True)
    ]
    keys = [spec.key(r) for r, v in zip(records, views, strict=True) if v.personal]
    await _audit(
        spec, [v for v in views if v.personal], keys, user, query, single=query is None and len(records) == 1
    )
    return views


async def _audit(
    spec: RegistrySpec,
    shown: list[RecordView],
    keys: list[str],
    user: Any,
    query: Mapping[str, Any] | None,
    *,
    single: bool,
) -> None:
    if not shown:
        return
    first = shown[0]
    chain = f"agency:{first.agency.code}" if first.agency else "global"
    data: dict[str, Any]
    if single:
        data = {
            "registry": spec.id,
            "reason": first.reason,
            "agency": first.agency.code if first.agency else "",
            **({"dossier": first.dossier_code} if first.dossier_code else {}),
        }
        await audit.append(
            READ_ACTION,
            chain=chain,
            actor_id=user.id,
            object_type=spec.id,
            object_id=str(keys[0])[:64],
            data=data,
        )
        return
    data = {
        "registry": spec.id,
        "records": [str(k) for k in keys],
        "reasons": sorted({v.reason for v in shown}),
        "agencies": sorted({v.agency.code for v in shown if v.agency}),
        **({"query": {k: v for k, v in query.items() if v}} if query else {}),
    }
    await audit.append(
        LIST_ACTION, chain=chain, actor_id=user.id, object_type=spec.id, object_id="", data=data
    )


async def registry_view(registry_id: str, record: Mapping[str, Any], user: Any) -> RecordView:
    """Apply the rule to one record (a record's page); a whole record read by staff is audited once."""
    return (await registry_views(registry_id, [record], user))[0]
