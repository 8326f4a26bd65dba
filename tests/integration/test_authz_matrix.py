"""The authorisation matrix (issue 12): every route of the built application × every kind of caller ×
{GET, each unsafe method it declares} → the outcome ``docs/security.md`` gives.

The routes come from the application's own route table (``core.identity.guards.route_table`` over
``core.app.create_app()``): a route added later, by core or by a plugin, is in the walk, and the test
fails until ``EXPECT`` classifies it. Path parameters are filled from one world built once for the
module: citizen A's dossiers at agency X (one still at X's first step, one whose route has reached a
step at agency Y) with an upload, a receipt PDF, fees and messages; A's draft; citizen B's dossier at
another commune; a complaint, a calendar override, a queue ticket, an outbox row.

Outcomes: ``ok`` (the route answers: a page, a redirect other than to the sign-in page, or a
validation answer), ``login`` (the sign-in page, or 401 for the API), ``denied`` (403), ``hidden``
(404 with the same body as for an unknown dossier code: the caller learns nothing).

Also here: every unsafe web route refuses a signed-in user's request without the CSRF token (403);
only the JSON API routes, authenticated by a bearer token, are exempt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from tests.conftest import REDIS_URL, clean_database
from tests.fixtures.engine_route import PROC

pytestmark = pytest.mark.asyncio(loop_scope="module")

ACTORS = (
    "anon",
    "citizen_a",
    "citizen_b",
    "receiver_x",
    "specialist_x",
    "approver_x",
    "staff_y",
    "postal",
    "agency_admin_x",
    "province_admin",
    "receiver_z",
)
"""Anonymous; citizens A and B; the receiver, specialist and approver of agency X (the ward); a
specialist of agency Y (the tax office, which holds a step of the test route); a postal agent; X's
agency administrator; the province administrator; a receiver of agency Z (the commune, where B's
dossier was received)."""
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class World:
    client: Any
    app: Any
    users: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


async def _session(user: dict) -> str:
    import json
    import secrets

    from core.identity.session_store import DatabaseStore

    sid = secrets.token_hex(16)
    await DatabaseStore().set(sid, json.dumps({"uid": user["id"]}).encode(), expires_in=3600)
    return sid


async def _build(plugin_register: Callable) -> World:
    from core.dossiers import attachments, service
    from core.identity.api_auth import issue_token
    from tests.fixtures.builders import grant
    from tests.fixtures.engine_route import actor, make_user, setup_route

    w = await setup_route(plugin_register)
    tree = w["tree"]
    users = w["users"]
    extra = {
        "citizen_b": ("Trần Thị Bình", "079301000222", [("province", "citizen")]),
        "staff_y": ("Thuế Viên Y", None, [("tax", "specialist")]),
        "postal": ("Bưu Tá", None, [("post", "postal_agent")]),
        "agency_admin_x": ("Quản Trị Phường", None, [("ward", "agency_admin")]),
        "province_admin": ("Quản Trị Tỉnh", None, [("province", "province_admin")]),
    }
    for name, (full, cccd, grants) in extra.items():
        users[name] = await make_user(name, full_name=full, cccd=cccd)
        for agency, role in grants:
            await grant(users[name], tree[agency], role)
    names = {
        "citizen_a": "citizen",
        "citizen_b": "citizen_b",
        "receiver_x": "receiver",
        "specialist_x": "ward_specialist",
        "approver_x": "ward_leader",
        "staff_y": "staff_y",
        "postal": "postal",
        "agency_admin_x": "agency_admin_x",
        "province_admin": "province_admin",
        "receiver_z": "commune_receiver",
    }
    a = {k: await actor(users[v]) for k, v in names.items()}
    ward, commune = tree["ward"]["id"], tree["commune"]["id"]

    async def online(who: str, agency: int, subject: str):
        d = await service.create(
            PROC,
            agency,
            actor=a[who],
            applicant={"name": subject},
            data={"subject": subject},
            channel="truc_tuyen",
        )
        return d

    from tests.integration.test_dossier_attachments import PDF as pdf

    a1 = await online("citizen_a", ward, "Hồ sơ A1")
    up = await attachments.add(
        str(a1.id), actor=a["citizen_a"], document_code="don", filename="don.pdf", content=pdf
    )
    a1 = await service.submit(a1.id, actor=a["citizen_a"], version=a1.version)
    a1 = await service.receive(a1.id, actor=a["receiver_x"], version=a1.version)
    a2 = await online("citizen_a", ward, "Hồ sơ A2")
    a2 = await service.submit(a2.id, actor=a["citizen_a"], version=a2.version)
    a2 = await service.receive(a2.id, actor=a["receiver_x"], version=a2.version)
    step = next(s for s in a2.active_steps() if s.step_id == "check")
    a2 = await service.complete_step(a2.id, step.id, actor=a["specialist_x"], version=a2.version)
    draft = await online("citizen_a", ward, "Bản nháp của A")
    b1 = await online("citizen_b", commune, "Hồ sơ B1")
    b1 = await service.submit(b1.id, actor=a["citizen_b"], version=b1.version)
    b1 = await service.receive(b1.id, actor=a["receiver_z"], version=b1.version)

    from core.clock import service as clock
    from core.documents.tables import GeneratedDocument
    from core.feedback import service as feedback
    from core.fees import service as fees
    from core.jobs import runner
    from core.jobs.tables import Outbox
    from core.notify.tables import Notification

    await fees.record_payment(a1.id, actor=a["receiver_x"], method="cash", amount=50_000)
    refund = await fees.refund(a1.id, actor=a["receiver_x"], reason="Thu thừa lệ phí")
    complaint = await feedback.submit_complaint(
        {
            "kind": "complaint",
            "subject": "Chậm trả kết quả",
            "content": "Hồ sơ của tôi chưa có kết quả.",
            "sender_name": "Nguyễn Văn An",
            "sender_phone": "0912345678",
            "dossier_code": a1.code,
        },
        user=a["citizen_a"],
    )
    from datetime import date

    override = await clock.add_override(
        date(2027, 1, 4), "off", "Nghỉ bù thử nghiệm", "Thông báo thử nghiệm", actor_id=None
    )
    await runner.run_pending_now()
    doc = (
        await GeneratedDocument.select(GeneratedDocument.id, GeneratedDocument.status)
        .where(GeneratedDocument.dossier == a1.id)
        .first()
    )
    notification = await Notification.select(Notification.id).first()
    outbox = await Outbox.select(Outbox.id).first()
    values: dict[str, Any] = {
        "a1": a1,
        "unknown": (a1.code or "")[:-4]
        + "9999",  # well formed, of the same agency and day: no dossier has it
        "a2": a2,
        "draft": draft,
        "b1": b1,
        "attachment": up["id"],
        "tree": tree,
        "document": f"{doc['id']}.pdf" if doc else "1.pdf",
        "refund": refund["id"] if refund else 1,
        "complaint": complaint,
        "override": override,
        "notification": notification["id"] if notification else 1,
        "outbox": outbox["id"] if outbox else 1,
    }
    out = World(client=None, app=None, users={k: users[v] for k, v in names.items()}, values=values)
    for name in ACTORS[1:]:
        out.sessions[name] = (await _session(out.users[name]), "")
        out.tokens[name] = await issue_token(out.users[name]["id"], "matrix")
    out.tokens["citizen_a_read"] = await issue_token(out.users["citizen_a"]["id"], "read", scope="read")
    return out


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world():
    import os

    from litestar.testing import AsyncTestClient

    from core.app import create_app
    from core.catalogue import registry
    from core.identity import throttle
    from core.plugins import get_plugin_manager

    sandbox = os.environ.get("MOTCUA_PAYMENT_SANDBOX_SECRET")
    os.environ["MOTCUA_PAYMENT_SANDBOX_SECRET"] = "matrix-sandbox-secret"  # a gateway to pay by
    await clean_database()
    if REDIS_URL:
        await throttle.reset_all()
    pm = get_plugin_manager()
    registered: list[str] = []

    def register(obj, name):
        pm.register(obj, name=name)
        registered.append(name)
        registry.reset()
        return obj

    w = await _build(register)
    app = create_app()
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        w.client, w.app = client, app
        r = await client.get("/dang-nhap")
        csrf = client.cookies.get("csrftoken", "")
        for name, (sid, _) in list(w.sessions.items()):
            w.sessions[name] = (sid, csrf)
        w.values["csrf"] = csrf
        assert r.status_code == 200
        yield w
    for name in registered:
        pm.unregister(name=name)
    registry.reset()
    if sandbox is None:
        os.environ.pop("MOTCUA_PAYMENT_SANDBOX_SECRET", None)
    else:
        os.environ["MOTCUA_PAYMENT_SANDBOX_SECRET"] = sandbox


def _fill(path: str, w: World, dossier: str = "a1") -> str:
    """``path`` with its parameters taken from the world (``dossier``: whose dossier ``{code}`` and
    ``{ref}`` name; ``unknown``: a well-formed code that no dossier has)."""
    v = w.values
    code = v["unknown"] if dossier == "unknown" else v[dossier].code
    if path.startswith(("/thu-tuc/", "/api/v1/procedures/")):
        code = PROC
    elif path.startswith("/bang-theo-doi/"):
        code = v["tree"]["ward"]["code"]
    fills = {
        "code": code,
        "ref": code,
        "attachment_id": str(v["attachment"]),
        "filename": v["document"],
        "gateway": "sandbox",
        "refund_id": str(v["refund"]),
        "action": "approve",
        "page_id": "main",
        "complaint_id": str(v["complaint"]["id"]),
        "number": v["complaint"]["number"],
        "agency_code": v["tree"]["ward"]["code"],
        "agency_id": str(v["tree"]["ward"]["id"]),
        "user_id": str(w.users["specialist_x"]["id"]),
        "override_id": str(v["override"]),
        "notification_id": str(v["notification"]),
        "row_id": str(v["outbox"]),
        "lang": "vi",
        "file_path": "favicon.svg",
        "path": "openapi.json",
        "public_id": "khong-co-ma-nay-0000000",
        "token": "khong-co-ve-nay",
    }

    def sub(m: re.Match) -> str:
        return fills.get(m.group(1), "1")

    return re.sub(r"\{(\w+)(?::\w+)?\}", sub, path)


async def _call(w: World, who: str, method: str, path: str, *, csrf: bool = True):
    """``method path`` as ``who``: the session cookie (and the CSRF token on unsafe methods) for pages,
    the bearer token for ``/api/``; no redirect followed."""
    c = w.client
    c.cookies.clear()
    headers = {}
    data = None
    if path.startswith("/api/"):
        if who != "anon":
            headers["Authorization"] = f"Bearer {w.tokens[who]}"
    elif who != "anon":
        c.cookies.set("motcua_session", w.sessions[who][0])
    if method in UNSAFE and not path.startswith("/api/") and csrf:
        c.cookies.set("csrftoken", w.values["csrf"])
        data = {"_csrf_token": w.values["csrf"]}
    return await c.request(method, path, headers=headers, data=data, follow_redirects=False)


def _outcome(r) -> str:
    s = r.status_code
    if s == 401 or (s in (302, 303) and r.headers.get("location", "").startswith("/dang-nhap")):
        return "login"
    if s == 403:
        return "denied"
    if s == 404:
        return "hidden"
    if s >= 500:
        return f"error {s}"
    return "ok"


_VOLATILE = re.compile(
    r'(name="_csrf_token" value="[^"]*"|name="csrf-token" content="[^"]*"|csrftoken=[^;"]*|'
    r'data-request-id="[^"]*"|nonce="[^"]*"|[0-9a-f]{48,})'
)


def _normalised(r, identifiers: tuple[str, ...]) -> tuple[int, str]:
    text = r.text
    for ident in identifiers:
        text = text.replace(ident, "<ref>")
    return r.status_code, _VOLATILE.sub("", text)


# --- the security model (docs/security.md), as outcome per actor ------------------------------------

STAFF = (
    "receiver_x",
    "specialist_x",
    "approver_x",
    "staff_y",
    "postal",
    "agency_admin_x",
    "province_admin",
    "receiver_z",
)
ROLES = {
    "citizen_a": {"citizen"},
    "citizen_b": {"citizen"},
    "receiver_x": {"receiver"},
    "specialist_x": {"specialist"},
    "approver_x": {"approver"},
    "staff_y": {"specialist"},
    "postal": {"postal_agent"},
    "agency_admin_x": {"agency_admin"},
    "province_admin": {"province_admin"},
    "receiver_z": {"receiver"},
}
READERS = {
    # the applicant, the province administrator, staff at the receiving agency or at a reached step
    "a1": {"citizen_a", "receiver_x", "specialist_x", "approver_x", "agency_admin_x", "province_admin"},
    "a2": {
        "citizen_a",
        "receiver_x",
        "specialist_x",
        "approver_x",
        "agency_admin_x",
        "province_admin",
        "staff_y",
    },
    "b1": {"citizen_b", "receiver_z", "province_admin"},
}


@dataclass(frozen=True)
class Rule:
    """What each actor gets from a route. ``kind``:

    - ``public``: every actor the same answer (``ok`` unless ``same``, for addresses whose answer
      depends only on the object named, e.g. a signed link);
    - ``signed_in``: anyone signed in;
    - ``roles``: the holders of one of ``roles`` (at any agency), others 403;
    - ``dossier``: the readers of the dossier named (``READERS``), others the unknown code's 404;
      ``applicant``: its applicant only (``applicant_object``: or a 404 for the applicant too, by
      the object's state); ``status``: the readers, anonymous and others the 404 (no key);
    - ``staff_object``: staff (by ``roles``) reach the object of their agency; staff of other agencies 404.
    """

    kind: str
    roles: tuple[str, ...] = ()
    same: bool = False
    variants: tuple[str, ...] = ("a1",)
    anon: str = "login"


PUBLIC = Rule("public")
SAME = Rule("public", same=True)
SIGNED_IN = Rule("signed_in")
STAFF_ROLES = ("receiver", "specialist", "approver", "agency_admin", "postal_agent", "province_admin")
STAFF_RULE = Rule("roles", STAFF_ROLES)
REGISTRY = Rule("roles", ("receiver", "specialist", "approver", "agency_admin", "province_admin"))
USERS_ADMIN = Rule("roles", ("agency_admin", "province_admin"))
PROVINCE = Rule("roles", ("province_admin",))
LEADERS = Rule("roles", ("approver", "agency_admin", "province_admin"))
COUNTER = Rule("roles", ("receiver",))
CALLER = Rule("roles", ("receiver", "agency_admin"))
DOSSIER = Rule("dossier")
DOSSIER_ALL = Rule("dossier", variants=("a1", "a2", "b1"))
APPLICANT = Rule("applicant")
APPLICANT_OBJECT = Rule("applicant_object")
"""Its applicant reaches it when the object is in the right state (a result issued online, a draft
applied for someone else) and may get a 404 otherwise; everyone else the unknown code's answer."""
STATUS = Rule("status", variants=("a1", "a2", "b1"), anon="hidden")
RATING = Rule("applicant", anon="hidden")
COUNTER_DOSSIER = Rule("counter_dossier", ("receiver",))
COMPLAINT = Rule("staff_object", STAFF_ROLES)

EXPECT: dict[str, Rule] = {
    # public pages and doors
    "/": PUBLIC,
    "/thu-tuc": PUBLIC,
    "/thu-tuc/{code:str}": PUBLIC,
    "/api/v1/procedures": PUBLIC,
    "/api/v1/procedures/{code:str}": PUBLIC,
    "/bang-theo-doi": PUBLIC,
    "/bang-theo-doi/{agency_code:str}": SAME,
    "/dang-ky": PUBLIC,
    "/dang-ky/da-tiep-nhan": PUBLIC,
    "/dang-nhap": PUBLIC,
    "/dang-nhap/vneid": SAME,
    "/dang-nhap/vneid/ve": SAME,
    "/dang-ky-kinh-doanh/tra-cuu": PUBLIC,
    "/dang-ky-kinh-doanh/doanh-nghiep/{code:str}": SAME,
    "/business_reg/businesses/{code:str}": PUBLIC,
    "/business_reg/registry": PUBLIC,
    "/civil_status/registry": PUBLIC,
    "/civil_status/registry/{entry_id:int}": PUBLIC,
    "/land/parcels/{parcel_id:int}": PUBLIC,
    "/land/registry": PUBLIC,
    "/lay-so": SAME,
    "/lay-so/ve/{token:str}": SAME,
    "/man-hinh/quay": PUBLIC,
    "/ngon-ngu/{lang:str}": PUBLIC,
    "/phan-anh": PUBLIC,
    "/phan-anh/gui": PUBLIC,
    "/phan-anh/da-gui/{number:str}": SAME,
    "/thanh-toan-thu-nghiem": SAME,
    "/thanh-toan/{gateway:str}/ket-qua": SAME,
    "/tra-cuu": PUBLIC,
    "/tra-cuu/{code:str}": STATUS,
    "/api/v1/status/{code:str}": STATUS,
    "/danh-gia/{code:str}": RATING,
    "/xac-minh/{public_id:str}": SAME,
    "/schema": PUBLIC,
    "/schema/openapi.json": PUBLIC,
    "/schema/openapi.yaml": PUBLIC,
    "/schema/openapi.yml": PUBLIC,
    "/schema/{path:str}": PUBLIC,
    "/static/{file_path:path}": PUBLIC,
    "/theme-static/{file_path:path}": SAME,
    "/theme.css": PUBLIC,
    "/health": SAME,  # up or down, backlog counts: the same for everyone
    "/metrics": SAME,  # loopback or MOTCUA_METRICS_TOKEN, whoever is signed in
    "/dang-xuat": PUBLIC,
    # anyone signed in
    "/tai-khoan": SIGNED_IN,
    "/tai-khoan/du-lieu-cua-toi": SIGNED_IN,  # the signed-in person's own data only
    "/thong-bao": SIGNED_IN,
    "/ho-so-cua-toi": SIGNED_IN,
    "/thu-tuc/{code:str}/nop": SIGNED_IN,
    "/api/v1/dossiers": SIGNED_IN,
    "/doi-mat-khau": Rule("public", same=True, anon="login"),
    "/xac-minh/{public_id:str}/trang-thai": Rule("signed_in_object"),
    # the citizen's own pages
    "/ho-so-cua-toi/{ref:str}": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/bien-nhan.pdf": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/bo-sung": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/da-nop": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/giay-to": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/giay-to/{attachment_id:int}/go": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/kiem-tra": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/ket-qua/{filename:str}": APPLICANT_OBJECT,
    "/ho-so-cua-toi/{ref:str}/nguoi-uy-quyen": APPLICANT_OBJECT,
    "/ho-so-cua-toi/{ref:str}/nhan-ket-qua": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/nop": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/rut": APPLICANT,
    "/ho-so-cua-toi/{ref:str}/trang/{page_id:str}": APPLICANT,
    # a dossier: its readers
    "/ho-so/{code:str}": DOSSIER_ALL,
    "/ho-so/{code:str}/le-phi": DOSSIER,
    "/ho-so/{code:str}/le-phi/cong/{gateway:str}": DOSSIER,
    "/ho-so/{code:str}/le-phi/hoan-tra/{refund_id:int}": DOSSIER,
    "/ho-so/{code:str}/le-phi/nop": DOSSIER,
    "/ho-so/{code:str}/tai-lieu": DOSSIER,
    "/ho-so/{code:str}/tai-lieu/phieu-kiem-soat": DOSSIER,
    "/ho-so/{code:str}/tai-lieu/{filename:str}": DOSSIER,
    "/ho-so/{code:str}/tep/{attachment_id:int}": DOSSIER,
    "/ho-so/{code:str}/tep/{attachment_id:int}/xem": DOSSIER,
    "/ho-so/{code:str}/thao-tac/{action:str}": DOSSIER,
    "/api/v1/dossiers/{code:str}": DOSSIER_ALL,
    "/api/v1/dossiers/{code:str}/actions/{action:str}": DOSSIER,
    "/api/v1/dossiers/{code:str}/attachments": DOSSIER,
    "/api/v1/dossiers/{code:str}/attachments/{attachment_id:int}": DOSSIER,
    "/api/v1/dossiers/{code:str}/events": DOSSIER,
    "/api/v1/dossiers/{code:str}/receive": DOSSIER,
    "/api/v1/dossiers/{code:str}/submit": DOSSIER,
    # staff
    "/can-bo": STAFF_RULE,
    "/can-bo/dem": STAFF_RULE,
    "/can-bo/phan-anh": STAFF_RULE,
    "/can-bo/phan-anh/{complaint_id:int}": COMPLAINT,
    "/ho-so/chuyen-tiep": STAFF_RULE,
    "/so-theo-doi": STAFF_RULE,
    "/so-theo-doi.pdf": STAFF_RULE,
    "/so-theo-doi.xlsx": STAFF_RULE,
    "/can-bo/yeu-cau-dung": Rule("roles", ("approver",)),
    "/thong-ke": LEADERS,
    "/thong-ke/ai-giu": LEADERS,
    "/thong-ke/bao-cao.pdf": LEADERS,
    "/thong-ke/bao-cao.xlsx": LEADERS,
    "/thong-ke/chi-so-766": LEADERS,
    "/thong-ke/ho-so": LEADERS,
    "/thong-ke/trach-nhiem": LEADERS,
    "/dat-dai/tra-cuu": REGISTRY,
    "/dat-dai/thua-dat/{parcel_id:int}": Rule("roles", REGISTRY.roles, same=True),
    "/ho-tich/tra-cuu": REGISTRY,
    "/ho-tich/tra-cuu/{entry_id:int}": Rule("roles", REGISTRY.roles, same=True),
    "/goi-so": CALLER,
    "/quay": COUNTER,
    "/quay/ban-lam-viec": COUNTER,
    "/quay/so-quy": COUNTER,
    "/quay/so-quy.xlsx": COUNTER,
    "/quay/so-quy/chot": COUNTER,
    "/quay/tiep-nhan": COUNTER,
    "/quay/truc-tuyen": COUNTER,
    "/quay/tra-ket-qua": COUNTER,
    "/quay/tiep-nhan/xong/{code:str}": COUNTER_DOSSIER,
    "/quay/tra-ket-qua/{code:str}": COUNTER_DOSSIER,
    "/quay/tra-ket-qua/{code:str}/nop-phi": COUNTER_DOSSIER,
    "/quay/tra-ket-qua/{code:str}/tra": COUNTER_DOSSIER,
    # administration
    "/quan-tri/nguoi-dung": USERS_ADMIN,
    "/quan-tri/nguoi-dung/them": USERS_ADMIN,
    "/quan-tri/nguoi-dung/{user_id:int}": USERS_ADMIN,
    "/quan-tri/co-quan": PROVINCE,
    "/quan-tri/co-quan/them": PROVINCE,
    "/quan-tri/co-quan/{agency_id:int}/sua": PROVINCE,
    "/quan-tri/giao-dien": PROVINCE,
    "/quan-tri/le-phi": PROVINCE,
    "/quan-tri/thu-tuc": PROVINCE,
    "/quan-tri/lich-lam-viec": PROVINCE,
    "/quan-tri/lich-lam-viec/{override_id:int}/xoa": PROVINCE,
    "/quan-tri/nhat-ky": PROVINCE,
    "/quan-tri/nhat-ky/kiem-tra": PROVINCE,
    "/quan-tri/nhat-ky-doc-du-lieu": PROVINCE,
    "/quan-tri/tac-vu": PROVINCE,
    "/quan-tri/tac-vu/{row_id:int}/gui-lai": PROVINCE,
    "/quan-tri/thu-di": PROVINCE,
    "/quan-tri/thu-di/{notification_id:int}": Rule("roles", PROVINCE.roles, same=True),
    "/quan-tri/thu-di/{notification_id:int}/gui-lai": PROVINCE,
    "/api/v1/clock-scan": PROVINCE,
    "/quan-tri/dvc-quoc-gia": PROVINCE,
    "/quan-tri/dvc-quoc-gia/doi-soat": PROVINCE,
}
"""Every path of the route table with its rule; a path missing here fails the matrix."""

SKIP_CALL = {("POST", "/dang-xuat")}
"""Routes the matrix classifies but does not call with the shared sessions (signing out would end
them); ``test_signing_out_ends_only_ones_own_session`` covers it."""

DEBUG = False
DOSSIER_ROUTE = re.compile(r"\{(code|ref):str\}")


def _expected(rule: Rule, who: str, method: str, variant: str) -> set[str]:
    """The outcomes ``who`` may get from a route of ``rule`` (``as_unknown``: the unknown code's answer)."""
    if rule.kind == "public":
        return {"any"} if rule.same else {"ok"}
    if who == "anon":
        return {rule.anon} if rule.anon != "hidden" else {"as_unknown"}
    if rule.kind in ("signed_in", "signed_in_object"):
        return {"ok"} if rule.kind == "signed_in" else {"any"}
    if rule.kind in ("roles", "staff_object", "counter_dossier"):
        holds = bool(ROLES[who] & set(rule.roles))
        if not holds:
            return {"denied"}
        if rule.kind == "counter_dossier":
            return {"ok"} if who in READERS[variant] else {"as_unknown"}
        if rule.kind == "staff_object":  # the complaint is about A1: its receiving agency answers it
            return {"ok"} if who in READERS[variant] - {"citizen_a"} else {"hidden"}
        return {"any"} if rule.same else {"ok"}
    if rule.kind == "dossier":
        if who in READERS[variant]:
            return {"ok"} if method == "GET" else {"ok", "denied"}
        return {"as_unknown"}
    if rule.kind == "applicant":
        return (
            {"ok"}
            if who == {"a1": "citizen_a", "a2": "citizen_a", "b1": "citizen_b"}[variant]
            else {"as_unknown"}
        )
    if rule.kind == "applicant_object":
        applicant = {"a1": "citizen_a", "a2": "citizen_a", "b1": "citizen_b"}[variant]
        return {"any"} if who == applicant else {"as_unknown"}
    if rule.kind == "status":
        return {"ok"} if who in READERS[variant] else {"as_unknown"}
    raise AssertionError(f"unknown rule {rule.kind}")


LEAK_EXEMPT = {"/bang-theo-doi/{agency_code:str}"}
"""The public progress board lists dossier codes by design (R?: no names, no personal data)."""


def _leaks(w: World, who: str, route: str, path: str, r) -> list[str]:
    """A page that lists dossiers shows A's dossier only to its readers: its code to nobody else, and
    A's name to nobody who reads none of A's dossiers."""
    if r.status_code != 200 or route in LEAK_EXEMPT or "text" not in r.headers.get("content-type", "json"):
        return []
    out = []
    a1 = w.values["a1"].code
    if who not in READERS["a1"] and a1 not in path and a1 in r.text:
        out.append(f"GET {path} as {who}: shows the code of A's dossier {a1}")
    name = w.users["citizen_a"]["full_name"]
    if who not in READERS["a2"] and name in r.text:
        out.append(f"GET {path} as {who}: shows citizen A's name")
    return out


async def test_every_route_is_classified(world):
    """A route of the route table without an entry in ``EXPECT`` fails here (classify it in
    ``docs/security.md`` and ``EXPECT``); an entry for a route that no longer exists fails too."""
    from core.identity.guards import route_table

    paths = {r.path for r in route_table(world.app)}
    assert not paths - set(EXPECT), f"routes without an expected outcome: {sorted(paths - set(EXPECT))}"
    assert not set(EXPECT) - paths, f"EXPECT names routes that do not exist: {sorted(set(EXPECT) - paths)}"


async def test_the_matrix(world):
    """Every route × every actor × {GET, each unsafe method} gives the outcome of the security model;
    a refused read of someone else's dossier (or draft, upload, PDF, fee, message) is the very answer
    of an unknown code."""
    from core.identity.guards import route_table

    failures: list[str] = []
    unknown_cache: dict[tuple[str, str, str], tuple[int, str]] = {}
    calls = 0
    for row in route_table(world.app):
        rule = EXPECT.get(row.path)
        if rule is None or (row.method, row.path) in SKIP_CALL or row.method == "HEAD":
            continue
        variants = rule.variants if row.method == "GET" else ("a1",)
        for variant in variants:
            path = _fill(row.path, world, variant)
            idents = (world.values[variant].code, world.values["unknown"])
            for who in ACTORS:
                r = await _call(world, who, row.method, path)
                calls += 1
                got = _outcome(r)
                want = _expected(rule, who, row.method, variant)
                where = f"{row.method} {path} as {who}"
                if got.startswith("error"):
                    failures.append(f"{where}: {got}")
                    continue
                if "any" in want:
                    continue
                if "as_unknown" in want:
                    key = (row.method, row.path, who)
                    if key not in unknown_cache:
                        u = await _call(world, who, row.method, _fill(row.path, world, "unknown"))
                        calls += 1
                        unknown_cache[key] = _normalised(u, idents)
                    if r.status_code < 400:
                        failures.append(f"{where}: {r.status_code}, expected the unknown code's refusal")
                    elif row.method == "GET" and r.status_code != 404:
                        failures.append(f"{where}: {r.status_code}, expected 404 as for an unknown code")
                    elif _normalised(r, idents) != unknown_cache[key]:
                        failures.append(f"{where}: differs from the answer for an unknown code")
                        if DEBUG:
                            import difflib

                            print(where)
                            print(
                                "\n".join(
                                    list(
                                        difflib.unified_diff(
                                            unknown_cache[key][1].splitlines(),
                                            _normalised(r, idents)[1].splitlines(),
                                            lineterm="",
                                        )
                                    )[:30]
                                )
                            )
                    continue
                if got not in want:
                    failures.append(f"{where}: {got} ({r.status_code}), expected {sorted(want)}")
                failures += _leaks(world, who, row.path, path, r)
    print(f"{calls} requests")
    assert not failures, f"{len(failures)} holes:\n" + "\n".join(failures)


async def test_objects_of_one_dossier_are_not_reached_through_another(world):
    """An upload, a PDF or a refund of A's dossier, asked through a dossier the caller may read (B's own,
    or B1 by Z's receiver): the 404 of an object that does not exist, never A's object."""
    from core.identity.guards import route_table

    v = world.values
    failures = []
    sub_objects = ("{attachment_id:int}", "{filename:str}", "{refund_id:int}")
    rows = [
        r
        for r in route_table(world.app)
        if r.path.startswith(("/ho-so/{code:str}", "/api/v1/dossiers/{code:str}"))
        and any(p in r.path for p in sub_objects)
    ]
    assert len(rows) >= 5, [r.path for r in rows]
    for row in rows:
        path = _fill(row.path, world).replace(v["a1"].code, v["b1"].code)
        for who in ("citizen_b", "receiver_z"):
            r = await _call(world, who, row.method, path)
            if r.status_code < 400 or (row.method == "GET" and r.status_code != 404):
                failures.append(f"{row.method} {path} as {who}: {r.status_code}")
            if "Hồ sơ A1" in r.text or world.users["citizen_a"]["full_name"] in r.text:
                failures.append(f"{row.method} {path} as {who}: shows A's data")
    assert not failures, failures


async def test_a_read_token_reads_but_never_writes(world):
    """An API token with the ``read`` scope reads what its user may read, and every unsafe API route
    refuses it (403) before doing anything, even for a dossier its user owns."""
    from core.identity.guards import route_table

    a1 = world.values["a1"].code
    c = world.client
    c.cookies.clear()
    auth = {"Authorization": f"Bearer {world.tokens['citizen_a_read']}"}
    assert (await c.get(f"/api/v1/dossiers/{a1}", headers=auth)).status_code == 200
    api = [r for r in route_table(world.app) if r.path.startswith("/api/") and r.method in UNSAFE]
    assert len(api) >= 5
    for row in api:
        r = await c.request(row.method, _fill(row.path, world), headers=auth, json={})
        assert r.status_code == 403, (row.method, row.path, r.status_code, r.text[:200])


async def test_the_api_takes_no_session(world):
    """The JSON API is exempt from CSRF because it reads no cookie: a signed-in browser session without
    a bearer token gets 401 on every API route that needs a caller, so a forged cross-site request
    carries no authority there."""
    from core.identity.guards import route_table

    c = world.client
    for row in route_table(world.app):
        if not row.path.startswith("/api/") or not row.access.guards:
            continue
        c.cookies.clear()
        c.cookies.set("motcua_session", world.sessions["province_admin"][0])
        r = await c.request(row.method, _fill(row.path, world), follow_redirects=False)
        assert r.status_code == 401, (row.method, row.path, r.status_code)


async def test_csrf_on_every_unsafe_web_route(world):
    """Every unsafe route outside the JSON API, sent by a signed-in user (one who may use it) without
    the CSRF token, is refused with 403 before it does anything; the exemption is the API's alone."""
    from core.identity.guards import route_table

    exclude = world.app.csrf_config.exclude
    assert exclude == ["^/api/"], exclude  # anchored, and nothing else
    rows = [r for r in route_table(world.app) if r.method in UNSAFE]
    exempt = {(r.method, r.path) for r in rows if (r.handler.opt or {}).get("exclude_from_csrf")}
    # the payment platform's server-to-server notification: signed by the gateway, verified by its plugin
    assert exempt == {("POST", "/thanh-toan/{gateway:str}/ket-qua")}, exempt
    web = [r for r in rows if not r.path.startswith("/api/") and (r.method, r.path) not in exempt]
    assert {r.method for r in rows} <= set(UNSAFE) and len(web) >= 40
    c = world.client
    for row in web:
        path = _fill(row.path, world)
        for who in ("province_admin", "citizen_a", "receiver_x"):
            c.cookies.clear()
            c.cookies.set("motcua_session", world.sessions[who][0])
            r = await c.request(row.method, path, data={"x": "1"}, follow_redirects=False)
            assert r.status_code == 403, (row.method, path, who, r.status_code)
            assert "Biểu mẫu đã hết hạn" in r.text or "hết hạn" in r.text, (row.method, path, r.text[:300])
            # a wrong token is no better than none
            c.cookies.set("csrftoken", world.values["csrf"])
            r = await c.request(row.method, path, data={"_csrf_token": "0" * 64}, follow_redirects=False)
            assert r.status_code == 403, (row.method, path, who, "wrong token", r.status_code)
    # the exempt callback takes nothing unsigned
    c.cookies.clear()
    r = await c.post("/thanh-toan/sandbox/ket-qua", data={"dossier": "1", "amount": "1", "sig": "0" * 64})
    assert r.status_code in (400, 404, 422), r.status_code
    # and the signed-in session still works: nothing was changed by the refused requests
    c.cookies.clear()
    c.cookies.set("motcua_session", world.sessions["citizen_a"][0])
    assert (await c.get("/tai-khoan", follow_redirects=False)).status_code == 200


async def test_signing_out_ends_only_ones_own_session(world):
    """``POST /dang-xuat`` (public, CSRF-protected) ends the session it is sent with, and no other."""
    from tests.fixtures.builders import login_as

    c = world.client
    c.cookies.clear()
    await login_as(c, world.users["citizen_b"])
    token = c.cookies.get("csrftoken", "")
    r = await c.post("/dang-xuat", data={"_csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert (await c.get("/tai-khoan", follow_redirects=False)).status_code == 303
    c.cookies.clear()
    c.cookies.set("motcua_session", world.sessions["citizen_b"][0])
    assert (await c.get("/tai-khoan", follow_redirects=False)).status_code == 200


async def test_an_agency_admin_manages_only_their_agency(world):
    """X's agency administrator opens the users of X, not those of another agency (the same answer
    as for a user that does not exist); the province administrator opens both."""
    y_user = world.users["staff_y"]["id"]
    for who, user_id, want in (
        ("agency_admin_x", world.users["specialist_x"]["id"], 200),
        ("agency_admin_x", y_user, 404),
        ("province_admin", y_user, 200),
    ):
        r = await _call(world, who, "GET", f"/quan-tri/nguoi-dung/{user_id}")
        assert r.status_code == want, (who, user_id, r.status_code)
        if want == 404:
            missing = await _call(world, who, "GET", "/quan-tri/nguoi-dung/999999")
            same = _normalised(r, (f"/nguoi-dung/{user_id}",))
            assert same == _normalised(missing, ("/nguoi-dung/999999",))
