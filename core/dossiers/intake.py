"""Creating a dossier, submitting it online, and receiving it (online or at the counter).

``receive`` is where a dossier meets the law's clock: it binds the procedure version in force,
allocates the code when the dossier has none yet, computes the clock start and the due dates,
instantiates the route at concrete agencies and requests form 01 (``core.fees`` stores the fee quote
from the ``after_transition`` hook, before the form is printed).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotAllowed, Unavailable
from core.contract.specs import AgencyRef, DocumentRequirement, L
from core.contract.views import DossierView
from core.dossiers import codes, routing, timing
from core.dossiers.actions import parse_input
from core.dossiers.engine import Actor, Ctx, _jsonable, agency_row, build_view, run_transition
from core.dossiers.states import State
from core.forms import validators as fv
from core.identity.cccd import SEX_LABELS, normalise_cccd, validate_cccd

__all__ = ("create", "submit", "receive", "import_national", "CHANNELS", "VN_TZ", "AUTHORISATION_SLOT")

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHANNELS = ("truc_tuyen", "truc_tiep", "buu_chinh")
"""Online, at the counter, by public post (R7)."""


def _vn_day(moment: datetime):
    return moment.astimezone(VN_TZ).date()


_APPLICANT_TEXT = {
    "name": ("Họ và tên người nộp hồ sơ", fv.NAME_MAX),
    "id_number": ("Số định danh cá nhân (CCCD)", fv.IDENTIFIER_MAX),
    "phone": ("Số điện thoại", fv.IDENTIFIER_MAX),
    "email": ("Địa chỉ thư điện tử", fv.EMAIL_MAX),
    "address": ("Địa chỉ", fv.ADDRESS_MAX),
    "birth_date": ("Ngày sinh", fv.IDENTIFIER_MAX),
    "sex": ("Giới tính", fv.IDENTIFIER_MAX),
}
"""Applicant keys: (label, most characters). ``birth_date`` and ``sex`` are not stored: when given,
the CCCD must match them."""


def _applicant_fields(applicant: dict[str, Any], actor: Actor, self_service: bool) -> tuple[dict, list]:
    errors: list[tuple[str, str]] = []
    typed: dict[str, str] = {}
    for key, (label, limit) in _APPLICANT_TEXT.items():
        text, problem = fv.clean_free_text(applicant.get(key), label, limit, multiline=False)
        if problem:
            errors.append((f"applicant.{key}", problem))
        typed[key] = text
    get = typed.__getitem__
    name = get("name") or (actor.full_name if self_service and actor else "")
    id_number = normalise_cccd(get("id_number") or ((actor.cccd or "") if self_service and actor else ""))
    phone = re.sub(r"[\s.-]", "", get("phone") or (actor.phone if self_service and actor else ""))
    email = get("email") or (actor.email if self_service and actor else "")
    address = get("address")
    if errors:
        return {}, errors
    if not name:
        errors.append(("applicant.name", "Nhập họ và tên người nộp hồ sơ."))
    birth_date = None
    if get("birth_date"):
        from core.text.formats import parse_date

        try:
            birth_date = parse_date(get("birth_date"))
        except ValueError:
            errors.append(
                ("applicant.birth_date", "Ngày sinh phải là một ngày có thật, viết theo dạng ngày/tháng/năm.")
            )
    sex = get("sex").lower() or None
    if sex is not None and sex not in SEX_LABELS:
        errors.append(("applicant.sex", "Giới tính là “male” (nam) hoặc “female” (nữ)."))
        sex = None
    if id_number and (
        problem := validate_cccd(id_number, birth_date, sex=sex, today=datetime.now(VN_TZ).date())
    ):
        errors.append(("applicant.id_number", problem))
    if phone and not re.fullmatch(r"(\+84|0)\d{9,10}", phone):
        errors.append(("applicant.phone", "Số điện thoại phải bắt đầu bằng 0 hoặc +84 và có 10–11 chữ số."))
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors.append(("applicant.email", "Địa chỉ thư điện tử chưa đúng dạng (ví dụ: ten@example.vn)."))
    values = {
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "applicant_email": email,
        "applicant_address": address,
    }
    return values, errors


AUTHORISATION_SLOT = DocumentRequirement(
    code="van_ban_uy_quyen",
    name=L(
        "Văn bản ủy quyền (của người nộp thay)", "Authorisation of the person applying on someone's behalf"
    ),
    originals=1,
    copies=0,
)
"""The upload slot every dossier filed by a representative has, beside its procedure's checklist."""

_REPRESENTATIVE_TEXT = {
    "name": ("Họ và tên người được ủy quyền", fv.NAME_MAX),
    "id_number": ("Số định danh cá nhân (CCCD) của người được ủy quyền", fv.IDENTIFIER_MAX),
    "phone": ("Số điện thoại của người được ủy quyền", fv.IDENTIFIER_MAX),
    "email": ("Thư điện tử của người được ủy quyền", fv.EMAIL_MAX),
    "address": ("Địa chỉ của người được ủy quyền", fv.ADDRESS_MAX),
    "document": ("Văn bản ủy quyền", fv.SHORT_TEXT_MAX),
}
"""Representative keys: (label, most characters)."""


def _representative_fields(
    representative: dict[str, Any], actor: Actor, self_service: bool, applicant_id: str
) -> tuple[dict, list]:
    """The person applying on the applicant's behalf (``submitted_by``), checked; stored in the dossier's
    ``data["representative"]`` (printed on form 01). Online, that person is the signed-in account: name,
    CCCD, phone and e-mail come from it (verified when it signed in with the e-ID); only the address and
    the authorisation document are typed."""
    errors: list[tuple[str, str]] = []
    typed: dict[str, str] = {}
    for key, (label, limit) in _REPRESENTATIVE_TEXT.items():
        text, problem = fv.clean_free_text(representative.get(key), label, limit, multiline=False)
        if problem:
            errors.append((f"representative.{key}", problem))
        typed[key] = text
    if errors:
        return {}, errors
    if self_service and actor is not None:
        typed.update(
            name=actor.full_name, id_number=actor.cccd or "", phone=actor.phone or "", email=actor.email or ""
        )
    rep: dict[str, Any] = {
        "name": typed["name"],
        "id_number": normalise_cccd(typed["id_number"]),
        "phone": re.sub(r"[\s.-]", "", typed["phone"]),
        "email": typed["email"],
        "address": typed["address"],
        "document": typed["document"],
        "user_id": actor.id if self_service and actor is not None else None,
        "identity_verified": bool(self_service and getattr(actor, "identity_verified", False)),
    }
    if not rep["name"]:
        errors.append(("representative.name", "Nhập họ và tên người được ủy quyền nộp hồ sơ."))
    if not rep["id_number"]:
        errors.append(
            (
                "representative.id_number",
                "Tài khoản của bạn chưa có số CCCD: hãy đăng nhập bằng VNeID để nộp thay người khác."
                if self_service
                else "Nhập số CCCD của người được ủy quyền.",
            )
        )
    elif problem := validate_cccd(rep["id_number"], today=datetime.now(VN_TZ).date()):
        errors.append(("representative.id_number", problem))
    elif rep["id_number"] == applicant_id:
        errors.append(
            (
                "applicant.id_number",
                "Người được ủy quyền và người yêu cầu giải quyết là cùng một người (trùng số CCCD): "
                "khi tự nộp cho mình, không khai người được ủy quyền.",
            )
        )
    if not rep["document"]:
        errors.append(
            (
                "representative.document",
                "Ghi văn bản ủy quyền (loại, số, ngày, nơi chứng thực), ví dụ: "
                "Giấy ủy quyền số 15/2026 ngày 28/11/2026, chứng thực tại UBND phường Trấn Biên.",
            )
        )
    if rep["phone"] and not re.fullmatch(r"(\+84|0)\d{9,10}", rep["phone"]):
        errors.append(
            ("representative.phone", "Số điện thoại phải bắt đầu bằng 0 hoặc +84 và có 10–11 chữ số.")
        )
    return rep, errors


async def _check_data(
    proc, data: dict[str, Any], agency: dict, actor: Actor, partial: bool = False
) -> tuple[dict, list]:
    """The form engine's verdict on the whole application (declarative validators + the plugins'
    ``validate_application``), and the normalised answers to store.

    ``partial``: keep the answers that are valid and drop the others, without errors (a counter
    dossier refused or sent a supplement guide at once may be incomplete: that is why)."""
    from core.forms.engine import check_application, validate_all

    ref = AgencyRef(agency["id"], agency["code"], agency["name"], agency["level"], agency["kind"])
    today = datetime.now(VN_TZ).date()
    if partial:
        cleaned, _errors = validate_all(get_catalogue().forms[proc.form], data, today=today)
        return _jsonable(cleaned), []
    errors = await check_application(proc, None, data, {"agency": ref, "user": actor, "today": today})
    if errors:
        return data, list(errors.items())
    cleaned, _errors = validate_all(get_catalogue().forms[proc.form], data, today=today)
    return _jsonable(cleaned), []


async def create(
    procedure_code: str,
    agency_id: int,
    *,
    actor: Actor,
    applicant: dict[str, Any],
    data: dict[str, Any],
    channel: str = "truc_tuyen",
    result_channel: str = "counter",
    partial: bool = False,
    representative: dict[str, Any] | None = None,
) -> DossierView:
    """A new draft dossier (event ``create``), its answers checked by the form engine.

    ``representative`` (optional): the dossier is filed on the applicant's behalf by an authorised
    person (``submitted_by``): online, the signed-in account (its name, CCCD, phone and e-mail; the
    ``applicant`` then names the person applied for, and is not taken from the account); at the counter,
    typed by the clerk (``name``, ``id_number``, ``phone``, ``email``, ``address``). ``document`` (the
    authorisation: kind, number, date) is required either way; the dossier gets the upload slot
    ``AUTHORISATION_SLOT`` for its scan. Both identities are stored and printed on form 01.

    ``partial=True`` by the applicant online (a draft started page by page, ``core.dossiers.drafts``):
    the answers given so far are kept unchecked; the whole form is checked when the draft is submitted.

    Online (``truc_tuyen``) the signed-in applicant owns it; at the counter (``truc_tiep``) or by post
    (``buu_chinh``) the actor must be a receiver at ``agency_id``. ``partial`` (counter and post only:
    a dossier refused or sent a supplement guide on the spot) keeps the valid answers and does not
    require the form to be complete; receiving such a draft later checks nothing more, so the desk
    must not receive it without completing it.

    Raises:
        InvalidInput: field errors (``procedure_code``, ``channel``, ``applicant.*``, form fields).
        Unavailable: the agency does not take this procedure in.
        NotAllowed: a counter dossier created by someone who is not a receiver there.
    """
    from core.catalogue.service import require_available

    if actor is None:
        raise NotAllowed("Cần đăng nhập để tạo hồ sơ.")
    proc = get_catalogue().procedure(str(procedure_code or ""))
    if proc is None:
        raise InvalidInput(
            "Thủ tục không tồn tại.", [("procedure_code", f"Không có thủ tục mã '{procedure_code}'.")]
        )
    if channel not in CHANNELS:
        raise InvalidInput(
            "Kênh nộp không hợp lệ.",
            [("channel", "Chọn kênh nộp: trực tuyến, trực tiếp hoặc qua bưu chính công ích.")],
        )
    if channel not in proc.intake_channels:
        names = {"truc_tuyen": "trực tuyến", "truc_tiep": "trực tiếp", "buu_chinh": "qua bưu chính công ích"}
        raise InvalidInput(
            "Thủ tục không nhận hồ sơ qua kênh này.",
            [
                (
                    "channel",
                    "Thủ tục này chỉ nhận hồ sơ "
                    + ", ".join(names[c] for c in proc.intake_channels if c in names)
                    + ".",
                )
            ],
        )
    if result_channel not in proc.result_channels:
        raise InvalidInput(
            "Hình thức nhận kết quả không hợp lệ.",
            [("result_channel", "Thủ tục này không trả kết quả theo hình thức đã chọn.")],
        )
    agency = await agency_row(agency_id)
    await require_available(proc.code, agency_id)
    staff = actor.has_role("receiver", agency_id) or (
        channel == "buu_chinh" and actor.has_role("postal_agent", agency_id)
    )
    if channel != "truc_tuyen" and not staff:
        raise NotAllowed(
            "Chỉ cán bộ tiếp nhận của cơ quan mới tạo được hồ sơ nộp trực tiếp hoặc qua bưu chính."
        )
    self_service = channel == "truc_tuyen" and not staff
    on_behalf = isinstance(representative, dict) and any(
        str(v or "").strip() for k, v in representative.items() if k != "user_id"
    )
    # On someone's behalf, the applicant is typed: never filled from the representative's own account.
    values, errors = _applicant_fields(applicant or {}, actor, self_service and not on_behalf)
    rep: dict[str, Any] | None = None
    if on_behalf:
        rep, rep_errors = _representative_fields(
            dict(representative or {}), actor, self_service, values.get("applicant_id_number", "")
        )
        errors += rep_errors
        if not values.get("applicant_id_number") and not errors:
            errors.append(
                ("applicant.id_number", "Nhập số CCCD của người yêu cầu giải quyết (người ủy quyền).")
            )
    if not isinstance(data, dict):
        errors.append(("data", "Nội dung tờ khai phải là một đối tượng (tên trường → giá trị)."))
        data = {}
    if partial and not staff and not (channel == "truc_tuyen" and self_service):
        raise NotAllowed("Chỉ người nộp trực tuyến hoặc bộ phận tiếp nhận mới lưu được hồ sơ chưa điền xong.")
    if partial and not staff:  # an online draft, saved page by page: checked whole when submitted
        data = _jsonable(data)
    else:
        data, data_errors = await _check_data(proc, data, agency, actor, partial=partial and staff)
        errors += data_errors
    if errors:
        raise InvalidInput("Hồ sơ chưa hợp lệ, vui lòng sửa các trường được đánh dấu.", errors)
    if rep is not None:
        data = {**data, "representative": rep}
    new = {
        "procedure_code": proc.code,
        "domain": proc.domain,
        "receiving_agency": agency_id,
        "applicant": actor.id if self_service else None,
        "data": data,
        "channel": channel,
        "result_channel": result_channel,
        "lookup_key": codes.new_lookup_key(),
        **values,
    }

    async def apply(c: Ctx) -> None:
        c.event_data["channel"] = channel
        c.audit_data = {"procedure": proc.code, "channel": channel}
        if rep is not None:
            c.event_data["on_behalf"] = True
            c.audit_data["on_behalf"] = True
        c.to = State.DRAFT

    return await run_transition(
        None, "create", apply, actor=actor, version=None, new=new, agencies={agency_id: agency}
    )


async def _allocate_code(c: Ctx) -> str:
    if c.row["code"]:
        return c.row["code"]
    agency = await c.agency(c.row["receiving_agency"])
    if c.proc.code_system:  # centralised-system variant: the agency's electronic identifier + AA (R5)
        if not re.fullmatch(r"\d{2}", c.proc.code_system):
            raise Unavailable(
                f"Thủ tục {c.proc.code} khai báo mã hệ thống tập trung '{c.proc.code_system}' "
                "không hợp lệ (cần 2 chữ số): báo quản trị hệ thống."
            )
        code = await codes.allocate(agency["eid"] or agency["code"], _vn_day(c.now), c.proc.code_system)
    else:
        code = await codes.allocate(agency["code"], _vn_day(c.now))
    c.updates["code"] = code
    return code


async def _apply_submit(c: Ctx) -> None:
    from core.catalogue.service import require_available

    await require_available(c.row["procedure_code"], c.row["receiving_agency"])
    code = await _allocate_code(c)
    c.updates["submitted_at"] = c.now
    c.event_data["code"] = code
    c.to = State.SUBMITTED


async def submit(dossier_id: int | str, *, actor: Actor, version: int | None, note: str = "") -> DossierView:
    """Draft → submitted (online): allocates the national code (R4, R6)."""
    note, _params = parse_input(note, None)
    return await run_transition(dossier_id, "submit", _apply_submit, actor=actor, version=version, note=note)


async def import_national(
    code: str,
    procedure_code: str,
    agency_id: int,
    *,
    applicant: dict[str, Any],
    data: dict[str, Any],
    submitted_at: datetime,
    result_channel: str = "online",
    source: str = "",
) -> DossierView:
    """A dossier submitted on the national public-service portal, entered as submitted online with the
    portal's code (R6: never a new one), waiting for the receiving agency's intake like any online
    dossier (event ``import_national``, by the system). Its answers are checked by the form engine
    exactly as an online submission's.

    Raises:
        InvalidInput: the code is not a national dossier code of the receiving agency, or the
            applicant or the answers do not pass the form's checks (field errors).
        Unavailable: the agency does not take this procedure in.
    """
    from core.catalogue.service import require_available

    proc = get_catalogue().procedure(str(procedure_code or ""))
    if proc is None:
        raise InvalidInput(
            "Thủ tục không tồn tại.", [("procedure_code", f"Không có thủ tục mã '{procedure_code}'.")]
        )
    agency = await agency_row(agency_id)
    await require_available(proc.code, agency_id)
    code = str(code or "").strip()
    parsed = codes.parse_code(code) or codes.parse_code(code, central=True)
    if parsed is None or parsed.agency not in (agency["code"], agency["eid"]):
        raise InvalidInput(
            "Mã hồ sơ không hợp lệ.",
            [("code", f"Mã hồ sơ '{code[:64]}' không phải mã hồ sơ của {agency['name']}.")],
        )
    if result_channel not in proc.result_channels:
        result_channel = proc.result_channels[0]
    values, errors = _applicant_fields(applicant or {}, None, False)
    if not isinstance(data, dict):
        errors.append(("data", "Nội dung tờ khai phải là một đối tượng (tên trường → giá trị)."))
        data = {}
    data, data_errors = await _check_data(proc, data, agency, None)
    errors += data_errors
    if errors:
        raise InvalidInput("Hồ sơ nhận từ Cổng Dịch vụ công quốc gia chưa hợp lệ.", errors)
    new = {
        "procedure_code": proc.code,
        "domain": proc.domain,
        "receiving_agency": agency_id,
        "applicant": None,
        "data": data,
        "channel": "truc_tuyen",
        "result_channel": result_channel,
        "lookup_key": codes.new_lookup_key(),
        "code": code,
        **values,
    }

    async def apply(c: Ctx) -> None:
        await codes.reserve(code, (agency["code"], agency["eid"]))
        c.updates["submitted_at"] = submitted_at
        c.event_data.update(code=code, channel="truc_tuyen", source=source or "national_portal")
        c.audit_data = {
            "procedure": proc.code,
            "channel": "truc_tuyen",
            "source": source or "national_portal",
        }
        c.to = State.SUBMITTED

    return await run_transition(
        None, "import_national", apply, actor=None, version=None, new=new, agencies={agency_id: agency}
    )


async def _apply_receive(c: Ctx) -> None:
    from core.catalogue import snapshot
    from core.catalogue.versions import version_in_force

    row, proc, wf = c.row, c.proc, c.wf
    today = _vn_day(c.now)
    version_id, stored = await version_in_force(proc.code, today, actor_id=c.actor.id if c.actor else None)
    code = await _allocate_code(c)
    agency = await c.agency(row["receiving_agency"])
    sessions_of = timing.sessions_loader({agency["id"]: agency})
    rules = timing.Rules.from_snapshot(snapshot.remember(version_id, stored), proc)
    clock = await timing.deadline(c.now, rules, agency)
    start, due = clock.start, clock.due
    extra_days = rules.remote_area_extra_days if agency["remote_area"] else 0
    # the dossier as the step selectors see it, from the locked row (it has no steps before receipt)
    view = build_view(
        {**row, "ra_code": agency["code"], "ra_name": agency["name"], "ra_sessions": agency["work_sessions"]},
        [],
        now=c.now,
        wf=wf,
    )
    dossier_dict = {**view.as_dict(), "code": code}
    placed = await routing.place(dossier_dict, wf)
    budgets = timing.budgets(wf, rules.processing_days + extra_days)
    await routing.instantiate(
        row["id"], placed, budgets, start, sessions_of, due, handed_by=c.actor.id if c.actor else None
    )
    c.updates.update(
        procedure_version=version_id,
        received_at=c.now,
        clock_start_at=start,
        due_at=due,
    )
    if rules.financial_obligation:
        c.updates["appointment1_at"] = await timing.appointment1(
            start, wf, budgets, agency["work_sessions"], rules.processing_days
        )
    c.forms.append("form01")  # printed once the fee quote is stored (core.fees' after_transition)
    c.event_data.update(
        code=code,
        procedure_version=version_id,
        clock_start_at=start,
        due_at=due,
        remote_area_extra_days=extra_days,
        remote_area_basis=rules.remote_area_basis if extra_days else None,
        clock=list(clock.explanation),
        steps=[{"stage": n, "step": s.id, "agency": ref.code} for n, s, ref in placed],
    )
    c.agency_id = c.agency_id or agency["id"]
    c.to = State.RECEIVED


def _documents_received(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist the desk ticked, checked: name, originals and copies (whole numbers ≥ 0)."""
    out, errors = [], []
    for i, doc in enumerate(documents):
        name = str(doc.get("name") or "").strip()[: fv.ADDRESS_MAX]
        counts = {}
        for key in ("originals", "copies"):
            raw = str(doc.get(key, 0) if doc.get(key) is not None else 0).strip() or "0"
            if not raw.isdigit() or int(raw) > 99:
                errors.append((f"documents.{doc.get('code') or i}.{key}", "Số bản là số nguyên từ 0 đến 99."))
                raw = "0"
            counts[key] = int(raw)
        if name:
            out.append({"code": str(doc.get("code") or ""), "name": name, **counts})
    if errors:
        raise InvalidInput("Số bản giấy tờ chưa hợp lệ.", errors)
    return out


async def receive(
    dossier_id: int | str,
    *,
    actor: Actor,
    version: int | None,
    note: str = "",
    documents: list[dict[str, Any]] | None = None,
) -> DossierView:
    """Submitted (or a counter draft) → received: version bound, code, clock, route, fees, form 01.

    Args:
        documents: The documents the desk actually received (``code``, ``name``, ``originals``,
            ``copies``), kept on the event; form 01 lists them instead of the procedure's checklist.
    """
    note, _params = parse_input(note, None)
    received = _documents_received(documents) if documents is not None else None

    async def apply(c: Ctx) -> None:
        await _apply_receive(c)
        if received is not None:
            c.event_data["documents"] = received

    return await run_transition(dossier_id, "receive", apply, actor=actor, version=version, note=note)
