"""The data printed on a legal form, read from the tables with a constant number of queries.

``form_context(form, dossier_id, event_id, extra)`` returns plain JSON types only (times as ISO
strings): it is frozen into ``GeneratedDocument.context`` when the document is requested, so a later
re-render prints exactly what was true at that moment.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from core.catalogue.registry import get_catalogue
from core.catalogue.tables import ProcedureVersion
from core.contract.errors import NotFound
from core.documents.legal_forms import LegalForm
from core.documents.qr import status_url
from core.dossiers.codes import format_lookup_key
from core.dossiers.tables import Dossier, DossierEvent, DossierStep
from core.fees.tables import DossierFee, Payment

__all__ = (
    "form_context",
    "dossier_bundle",
    "province_place",
    "unit_abbreviation",
    "CHANNEL_LABELS",
    "RESULT_CHANNEL_LABELS",
    "OUTCOME_LABELS",
    "iso",
)

CHANNEL_LABELS = {
    "truc_tiep": "Trực tiếp",
    "buu_chinh": "Bưu chính công ích",
    "truc_tuyen": "Trực tuyến",
    "counter": "Trực tiếp",
    "post": "Bưu chính công ích",
    "online": "Trực tuyến",
}
RESULT_CHANNEL_LABELS = {
    "counter": "Trực tiếp tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến (Kho quản lý dữ liệu điện tử)",
    "truc_tiep": "Trực tiếp tại Bộ phận Một cửa",
    "buu_chinh": "Qua dịch vụ bưu chính công ích",
    "truc_tuyen": "Trực tuyến (Kho quản lý dữ liệu điện tử)",
}
OUTCOME_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}

_PROVINCE_PREFIX = re.compile(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(tỉnh|thành phố|TP\.?)\s+", re.I)


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value or {}


def province_place(chain: list[dict]) -> str:
    """``Đồng Nai`` from the first province-level agency of ``chain`` (the agency, then its parents)."""
    for a in chain:
        if a.get("level") == "province" and a.get("name"):
            return _PROVINCE_PREFIX.sub("", a["name"]).strip()
    for a in chain:  # a province-level parent is missing: fall back on the agency's own name
        m = re.search(r"(tỉnh|thành phố)\s+(.+)$", a.get("name") or "")
        if m:
            return m.group(2).strip()
    return ""


def _strip_marks(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def unit_abbreviation(agency: dict) -> str:
    """The unit's abbreviation for document numbers: its short name, or the desk's standard one."""
    if agency.get("short_name"):
        return agency["short_name"]
    name = agency.get("name") or ""
    if "phục vụ hành chính công" in name.lower():
        return "TTPVHCC"
    words = [w for w in _strip_marks(name).split() if w[:1].isalpha()]
    initials = "".join(w[0].upper() for w in words)
    return initials[:10] or "BPTNTKQ"


def desk_abbreviation(agency: dict) -> str:
    """What follows ``Số: …/`` on a receipt (form 01, ``-TTPVHCC (BPTNTKQ)``): the public-administration
    service centre's ``TTPVHCC``, or ``BPTNTKQ`` for the reception-and-return desk of any other
    agency — unless the agency has its own short name."""
    if agency.get("short_name"):
        return agency["short_name"]
    return "TTPVHCC" if "phục vụ hành chính công" in (agency.get("name") or "").lower() else "BPTNTKQ"


_AGENCY_COLS = ("id", "code", "name", "short_name", "level", "address", "phone")


async def dossier_bundle(dossier_id: int) -> dict[str, Any]:
    """Dossier, receiving agency with its parents, procedure snapshot, events, steps, fees, payments.

    Six queries whatever the dossier's history.
    """
    ra: Any = Dossier.receiving_agency  # joins are built by attribute access, untyped in Piccolo
    cols = [getattr(ra, c).as_alias(f"a0_{c}") for c in _AGENCY_COLS]
    cols += [getattr(ra.parent, c).as_alias(f"a1_{c}") for c in ("name", "level")]
    cols += [getattr(ra.parent.parent, c).as_alias(f"a2_{c}") for c in ("name", "level")]
    cols += [getattr(ra.parent.parent.parent, c).as_alias(f"a3_{c}") for c in ("name", "level")]
    d = await Dossier.select(*Dossier.all_columns(), *cols).where(Dossier.id == dossier_id).first()
    if d is None:
        raise NotFound(f"Không tìm thấy hồ sơ số {dossier_id}.")
    agency = {c: d.get(f"a0_{c}") for c in _AGENCY_COLS}
    chain = [agency] + [{"name": d.get(f"a{i}_name"), "level": d.get(f"a{i}_level")} for i in (1, 2, 3)]
    snapshot: dict[str, Any] = {}
    if d.get("procedure_version"):
        pv = (
            await ProcedureVersion.select(ProcedureVersion.data)
            .where(ProcedureVersion.id == d["procedure_version"])
            .first()
        )
        snapshot = _json(pv["data"]) if pv else {}
    event_agency: Any = DossierEvent.agency
    events = (
        await DossierEvent.select(
            *DossierEvent.all_columns(),
            DossierEvent.actor.full_name.as_alias("actor_name"),
            event_agency.name.as_alias("agency_name"),
            event_agency.short_name.as_alias("agency_short_name"),
            event_agency.parent.name.as_alias("agency_parent_name"),
        )
        .where(DossierEvent.dossier == dossier_id)
        .order_by(DossierEvent.seq)
    )
    steps = (
        await DossierStep.select(
            *DossierStep.all_columns(),
            DossierStep.agency.name.as_alias("agency_name"),
            DossierStep.handed_by.full_name.as_alias("handed_by_name"),
            DossierStep.finished_by.full_name.as_alias("finished_by_name"),
            DossierStep.assignee.full_name.as_alias("assignee_name"),
        )
        .where(DossierStep.dossier == dossier_id)
        .order_by(DossierStep.stage, DossierStep.id)
    )
    fees = await DossierFee.select().where(DossierFee.dossier == dossier_id).order_by(DossierFee.id)
    payments = await Payment.select().where(Payment.dossier == dossier_id).order_by(Payment.id)
    for e in events:
        e["data"] = _json(e["data"])
    return {
        "dossier": d,
        "agency": agency,
        "chain": chain,
        "snapshot": snapshot,
        "events": events,
        "steps": steps,
        "fees": fees,
        "payments": payments,
    }


def _procedure(bundle: dict) -> dict[str, Any]:
    """Name, documents, sets, time limit: from the version snapshot, else from the catalogue."""
    d, snap = bundle["dossier"], bundle["snapshot"]
    if snap:
        docs = [
            {
                "name": (x.get("name") or {}).get("vi", ""),
                "originals": x.get("originals", 0),
                "copies": x.get("copies", 0),
                "required": x.get("required", True),
            }
            for x in snap.get("documents", [])
        ]
        return {
            "code": d["procedure_code"],
            "name": (snap.get("name") or {}).get("vi", d["procedure_code"]),
            "documents": docs,
            "sets": snap.get("sets", 1),
            "processing_days": snap.get("processing_days"),
            "legal_basis": snap.get("legal_basis", []),
        }
    spec = get_catalogue().procedure(d["procedure_code"])
    if spec is None:
        return {
            "code": d["procedure_code"],
            "name": d["procedure_code"],
            "documents": [],
            "sets": 1,
            "processing_days": None,
            "legal_basis": [],
        }
    docs = [
        {"name": x.name.vi, "originals": x.originals, "copies": x.copies, "required": x.required}
        for x in spec.documents
    ]
    return {
        "code": spec.code,
        "name": spec.name.vi,
        "documents": docs,
        "sets": spec.sets,
        "processing_days": spec.processing_days,
        "legal_basis": list(spec.legal_basis),
    }


def _fee_status(bundle: dict) -> dict[str, Any]:
    total = sum(f["amount"] for f in bundle["fees"])
    paid = sum(p["amount"] for p in bundle["payments"] if p["kind"] == "payment" and p["status"] == "paid")
    return {
        "total": total,
        "paid": paid,
        "due": max(0, total - paid),
        "lines": [
            {
                "label": f["label"],
                "amount": f["amount"],
                "legal_basis": f["legal_basis"],
                "exempt_reason": f["exempt_reason"],
            }
            for f in bundle["fees"]
        ],
    }


def _event(bundle: dict, event_id: int | None) -> dict[str, Any]:
    if event_id is None:
        return {}
    for e in bundle["events"]:
        if e["id"] == event_id:
            return e
    raise NotFound(f"Sự kiện {event_id} không thuộc hồ sơ này.")


def _applicant(d: dict) -> dict[str, Any]:
    data = _json(d.get("data"))
    rep = data.get("representative") if isinstance(data, dict) else None
    return {
        "name": d["applicant_name"],
        "id_number": d["applicant_id_number"],
        "address": d["applicant_address"],
        "phone": d["applicant_phone"],
        "email": d["applicant_email"],
        "representative": rep if isinstance(rep, dict) else None,
    }


def _row(giver: str, receiver: dict | None, desk: str, at: Any, **kw: Any) -> dict[str, Any]:
    return {
        "giver": giver,
        "receiver": receiver["agency_name"] if receiver else desk,
        "handed_at": iso(at),
        "receiver_person": (receiver["assignee_name"] or "") if receiver else kw.pop("desk_person", ""),
        **kw,
    }


def _taken_over_by(event: dict, giver: dict, steps: list[dict]) -> list[dict] | None:
    """The step rows that took the dossier over from ``giver`` in ``event``; None: back to the desk.

    A step finished ahead of its parallel siblings hands its part to the next stage, which starts
    when the last sibling finishes (the join).
    """
    data = event["data"]
    if "returned_to_stage" in data:
        stage = data["returned_to_stage"]
    elif data.get("decision") or event["action"] in ("approve", "reject"):
        return None
    else:
        stage = data.get("next_stage") or giver["stage"] + 1
    rows = [r for r in steps if r["stage"] == stage]
    if not rows:
        return None
    taken = [r for r in rows if r["started_at"] == giver["finished_at"]]
    if taken:
        return taken
    # Not started yet (waiting for a sibling) or started later: the stage's latest rows, one per step.
    latest: dict[str, dict] = {}
    for r in rows:
        if r["id"] > giver["id"] or r["status"] in ("waiting", "active"):
            latest[r["step_id"]] = r
    return list(latest.values()) or rows[-1:]


_HANDOVER_ACTIONS = ("complete_step", "approve", "reject", "return_step")


def _control_rows(bundle: dict) -> list[dict[str, Any]]:
    """One row per hand-over (R22), from the events that moved the dossier along its route, in the
    order they happened: the receipt hands it to the first stage; each finished step hands it on —
    to the next stage, back to the stage it is sent back to (with the reason), or to the desk with
    the result — and the row carries the giving step's result (trước hạn / đúng hạn / quá hạn)
    against that step's own budget."""
    desk = bundle["agency"]["name"]
    steps = sorted(bundle["steps"], key=lambda r: r["id"])
    by_id = {r["id"]: r for r in steps}
    events = bundle["events"]
    rows: list[dict[str, Any]] = []
    if steps:
        first_stage = steps[0]["stage"]
        initial = []
        for r in steps:  # the rows made at receipt: the leading run of the first stage
            if r["stage"] != first_stage:
                break
            initial.append(r)
        receipt = next((e for e in events if e["data"].get("steps") or e["action"] == "receive"), None)
        at = receipt["at"] if receipt else initial[0]["started_at"]
        for r in initial:
            rows.append(
                _row(
                    desk,
                    r,
                    desk,
                    at,
                    giver_person=r["handed_by_name"] or (receipt or {}).get("actor_name") or "",
                    result="",
                    due_at=None,
                    note="Tiếp nhận, chuyển hồ sơ",
                )
            )
    handovers = [
        e for e in events if e["action"] in _HANDOVER_ACTIONS and by_id.get(e["data"].get("step_row"))
    ]
    logged = {e["data"]["step_row"] for e in handovers}
    for r in steps:  # a finished step whose event carries no step reference (older data): from the row
        if r["finished_at"] and r["status"] in ("done", "returned") and r["id"] not in logged:
            handovers.append(
                {
                    "action": "return_step" if r["status"] == "returned" else "complete_step",
                    "at": r["finished_at"],
                    "seq": 0,
                    "note": "",
                    "actor_name": r["finished_by_name"],
                    "data": {"step_row": r["id"], "outcome": r["outcome"]},
                }
            )
    handovers.sort(key=lambda e: (e["at"], e["seq"]))
    for e in handovers:
        giver = by_id[e["data"]["step_row"]]
        receivers = _taken_over_by(e, giver, steps)
        if e["action"] == "return_step":
            note = "Trả lại bước trước" + (f": {e['note']}" if e.get("note") else "")
        else:
            note = "" if receivers else "Trả kết quả về Bộ phận Một cửa"
        desk_person = (
            next(
                (
                    x["actor_name"]
                    for x in events
                    if x["at"] >= e["at"] and x["action"] in ("mark_result_ready", "return_result")
                ),
                "",
            )
            or ""
        )
        outcome = e["data"].get("outcome") or giver["outcome"] or ""
        takers: list[dict | None] = [*receivers] if receivers else [None]
        for n in takers:
            rows.append(
                _row(
                    giver["agency_name"],
                    n,
                    desk,
                    e["at"],
                    desk_person=desk_person,
                    giver_person=e.get("actor_name") or giver["finished_by_name"] or "",
                    result=OUTCOME_LABELS.get(outcome, ""),
                    due_at=iso(giver["due_at"]),
                    note=note,
                )
            )
    return rows


def _common(form: LegalForm, bundle: dict, number: str, issued_at: datetime) -> dict[str, Any]:
    d, agency = bundle["dossier"], bundle["agency"]
    parent = next((a["name"] for a in bundle["chain"][1:] if a.get("name")), "")
    return {
        "form": {"id": form.id, "number": form.number, "title": form.title, "version": form.version},
        "number": number,
        "issued_at": issued_at.isoformat(),
        "place": province_place(bundle["chain"]),
        "agency": {**agency, "parent_name": parent},
        "code": d["code"] or "",
        "status_url": status_url(d["code"], d.get("lookup_key") or "") if d["code"] else "",
        "lookup_key": format_lookup_key(d.get("lookup_key") or ""),
        "procedure": _procedure(bundle),
        "applicant": _applicant(d),
        "channel": CHANNEL_LABELS.get(d["channel"], d["channel"]),
        "result_place": RESULT_CHANNEL_LABELS.get(d["result_channel"], d["result_channel"]),
        "received_at": iso(d["received_at"] or d["submitted_at"]),
        "due_at": iso(d["due_at"]),
        "appointment1_at": iso(d["appointment1_at"]),
        "fees": _fee_status(bundle),
    }


def form_context(
    form: LegalForm,
    bundle: dict,
    event_id: int | None,
    number: str,
    issued_at: datetime,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything form ``form`` prints for the dossier in ``bundle`` (see ``dossier_bundle``)."""
    extra = dict(extra or {})
    ctx = _common(form, bundle, number, issued_at)
    event = _event(bundle, event_id)
    data = {**(event.get("data") or {}), **extra}
    ctx["officer"] = data.get("officer") or event.get("actor_name") or ""
    ctx["event_at"] = iso(event.get("at")) if event else None
    ctx["note"] = data.get("reason") or data.get("reasons") or event.get("note") or ""
    seq = ctx["code"].rsplit("-", 1)[-1] if ctx["code"] else ""
    if form.id == "form01":
        received = data.get("documents")
        if isinstance(received, list):  # the desk ticked what it received: print only those
            ctx["procedure"] = {
                **ctx["procedure"],
                "documents": [
                    {
                        "name": str(x.get("name") or ""),
                        "originals": x.get("originals", 0),
                        "copies": x.get("copies", 0),
                        "required": True,
                    }
                    for x in received
                    if isinstance(x, dict)
                ],
            }
        ctx["register"] = {
            "book": (bundle["dossier"]["received_at"] or issued_at).year,
            "seq": seq.lstrip("0"),
        }
    elif form.id == "form02":
        items = data.get("items") or []
        ctx["items"] = [i if isinstance(i, str) else (i.get("name") or str(i)) for i in items]
        ctx["officer_phone"] = data.get("officer_phone") or bundle["agency"].get("phone") or ""
    elif form.id == "form04":
        ctx["original_due"] = (
            data.get("old_due") or data.get("original_due") or iso(bundle["dossier"]["due_at"])
        )
        ctx["new_due"] = data.get("new_due") or iso(bundle["dossier"]["extended_due_at"])
        unit = {
            "name": event.get("agency_name") or bundle["agency"]["name"],
            "short_name": event.get("agency_short_name") or "",
        }
        ctx["late_unit"] = unit["name"]
        ctx["header_agency"] = {"name": unit["name"], "parent_name": event.get("agency_parent_name") or ""}
    elif form.id == "form06":
        ctx["rows"] = _control_rows(bundle)
        ctx["lead_agency"], ctx["co_agencies"] = lead_and_co_agencies(bundle)
    return ctx


def lead_and_co_agencies(bundle: dict) -> tuple[str, list[str]]:
    """Form 06's lead agency (cơ quan chủ trì) and co-operating agencies.

    The lead is the agency that decides: the one holding the route's last approver step (e.g. the
    department, when a provincial centre only received the dossier). A route without a decision step
    — a linked group in which each agency settles its own part, such as the linked procedures of
    Decree 63/2024 — is led by the agency that received the dossier, whichever agency
    holds its last stage. Every other agency holding a step co-operates.
    """
    steps = bundle["steps"]
    deciding = [s for s in steps if s["role"] == "approver"]
    if deciding:
        last = max(deciding, key=lambda s: (s["stage"], s["id"]))
        lead = last["agency_name"] or bundle["agency"]["name"]
    else:
        lead = bundle["agency"]["name"]
    return lead, sorted({s["agency_name"] for s in steps if s["agency_name"]} - {lead})
