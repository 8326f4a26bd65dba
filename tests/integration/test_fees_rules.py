"""The money rules of ``core.fees.service`` stated one by one (no PDF rendered here): amounts as typed
at the counter, exactly the balance, errors at their field, who recorded what, refunds of what was
paid and not yet given back, the frozen quote, the day whose fee table applies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from core.api import FeeLine, FeeQuote, L, hookimpl
from core.audit.tables import AuditEntry
from core.catalogue.tables import FeeAmount
from core.contract.errors import InvalidInput, NotFound
from core.contract.specs import GatewayResult, PaymentGatewaySpec
from core.fees import service as fees
from core.fees.tables import DossierFee, Payment
from core.plugins import get_plugin_manager
from tests.integration.test_documents_builders import CODE, T, build_dossier
from tests.integration.test_fees import PROC, _FeeRule

AGENCY_CHAIN = "agency:000.00.01.H39"


def _ascii(label: str) -> str:
    """A test id in ASCII (mutmut passes ids back to pytest, which cannot match escaped non-ASCII ones)."""
    import unicodedata

    label = label.replace("đ", "d").replace("Đ", "D").replace("–", "-")
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()


def _json(value):
    """A JSON column as read back (a string on SQLite, decoded on PostgreSQL)."""
    return json.loads(value) if isinstance(value, str) else value


async def _dossier(amount: int = 150000) -> dict:
    built = await build_dossier(steps=False)
    if amount:
        await fees.store_quote(
            built["dossier_id"],
            FeeQuote(
                lines=(
                    FeeLine("copy_fee", L("Phí chứng thực"), amount - 50000, "Thông tư 226/2016/TT-BTC"),
                    FeeLine("service", L("Lệ phí"), 50000, "", L("Miễn một phần")),
                )
            ),
        )
    return built


async def _pay(built, amount=150000, **kw) -> dict:
    kw.setdefault("method", "cash")
    kw.setdefault("actor", built["clerk"])
    return await fees.record_payment(built["dossier_id"], amount=amount, **kw)


@pytest.mark.parametrize(
    "typed",
    ["150000", "150.000", "150,000", "150 000", "150.000đ", " 150000 ", 150000],
    ids=["digits", "dots", "commas", "spaces", "dong-sign", "padded", "int"],
)
async def test_an_amount_is_read_as_typed_at_the_counter(db, typed):
    built = await _dossier()
    assert (await _pay(built, typed))["amount"] == 150000
    assert await fees.balance_due(built["dossier_id"]) == 0


AMOUNT_ERRORS = [
    ("zero", "0", "Số tiền phải lớn hơn 0 đồng."),
    ("one đồng short", "149999", "Số tiền chưa đủ: phải nộp đủ 150.000 đồng."),
    ("one đồng over", "150001", "Số tiền vượt quá số phải nộp (150.000 đồng)."),
    ("empty", "", "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000)."),
    ("nothing", None, "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000)."),
    ("a yes/no value", True, "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000)."),
    ("a decimal", "150000.5đ", "Số tiền vượt quá số phải nộp (150.000 đồng)."),
]


@pytest.mark.parametrize(
    ("label", "amount", "message"), AMOUNT_ERRORS, ids=[_ascii(a[0]) for a in AMOUNT_ERRORS]
)
async def test_only_exactly_the_balance_is_taken(db, label, amount, message):
    built = await _dossier()
    with pytest.raises(InvalidInput) as exc:
        await _pay(built, amount)
    assert exc.value.errors == [("amount", message)]
    assert exc.value.message == "Thông tin nộp phí chưa hợp lệ."
    assert await Payment.count() == 0


async def test_every_wrong_field_is_reported_at_once(db):
    built = await _dossier()
    with pytest.raises(InvalidInput) as exc:
        await _pay(built, "abc", method="gateway:nowhere", reference="  ")
    assert exc.value.errors == [
        ("method", "Chọn hình thức nộp: tiền mặt, chuyển khoản hoặc bưu điện."),
        ("reference", "Nhập mã giao dịch (chuyển khoản) hoặc số biên nhận của bưu điện."),
        ("amount", "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000)."),
    ]


async def test_nothing_to_pay_is_said_so_whatever_the_amount(db):
    built = await _dossier(amount=0)
    for amount in ("0", "150000"):
        with pytest.raises(InvalidInput) as exc:
            await _pay(built, amount)
        assert exc.value.errors == [("amount", "Hồ sơ không còn khoản phí, lệ phí nào phải nộp.")]


async def test_a_missing_dossier_is_not_found(db):
    with pytest.raises(NotFound, match="Không tìm thấy hồ sơ."):
        await fees.record_payment(999999, actor=None, method="cash", amount=1)
    with pytest.raises(NotFound):
        await fees.refund(999999)


class _Gateway:
    @hookimpl
    def register_payment_gateways(self):
        return [
            PaymentGatewaySpec(
                name="demo_pay",
                label=L("Cổng thử nghiệm"),
                start=lambda p: "",
                verify=lambda p: GatewayResult(0, "paid", ""),
            )
        ]


@pytest.fixture
def gateway():
    pm = get_plugin_manager()
    pm.register(_Gateway(), name="test-gateway")
    yield
    pm.unregister(name="test-gateway")


async def test_the_payment_row_and_what_is_returned(db, gateway):
    built = await _dossier()
    did = built["dossier_id"]
    ref = "GW-" + "9" * 200
    paid = await fees.record_payment(
        did,
        actor=None,
        method="gateway:demo_pay",
        amount=150000,
        reference=f"  {ref} ",
        data={"payer": "Nguyễn Văn An"},
    )
    row = await Payment.select().where(Payment.id == paid["id"]).first()
    assert (row["kind"], row["method"], row["amount"], row["status"]) == (
        "payment",
        "gateway:demo_pay",
        150000,
        "paid",
    )
    assert row["reference"] == ref[:128] and row["recorded_by"] is None
    assert _json(row["data"]) == {"payer": "Nguyễn Văn An"}
    assert row["paid_at"] is not None and row["created_at"] == row["paid_at"]
    assert paid == {
        "id": row["id"],
        "dossier": did,
        "kind": "payment",
        "method": "gateway:demo_pay",
        "amount": 150000,
        "status": "paid",
        "reference": ref,
        "receipt_number": row["receipt_number"],
        "document_id": paid["document_id"],
        "paid_at": paid["paid_at"],
    }
    assert paid["receipt_number"] == "2026-000001" and paid["document_id"]
    assert abs((paid["paid_at"] - datetime.now(UTC)).total_seconds()) < 600
    entry = await AuditEntry.select().where(AuditEntry.action == "fee.payment").first()
    assert (entry["chain"], entry["object_type"], entry["object_id"], entry["actor_id"]) == (
        AGENCY_CHAIN,
        "dossier",
        CODE,
        None,
    )
    assert _json(entry["data"]) == {
        "payment_id": row["id"],
        "method": "gateway:demo_pay",
        "amount": 150000,
        "reference": ref,
    }


@pytest.mark.parametrize("how", ["int", "mapping", "object"])
async def test_who_recorded_it_whatever_form_the_actor_takes(db, how):
    built = await _dossier()
    uid = built["clerk"]["id"]
    actor = {"int": uid, "mapping": {"id": uid, "username": "duc"}, "object": type("U", (), {"id": uid})()}[
        how
    ]
    paid = await _pay(built, actor=actor, method="post", reference="BĐ-0001")
    assert (await Payment.select(Payment.recorded_by).where(Payment.id == paid["id"]).first())[
        "recorded_by"
    ] == uid
    listed = await fees.payments(built["dossier_id"])
    assert [(p["kind"], p["amount"], p["recorded_by_name"]) for p in listed] == [
        ("payment", 150000, "Trần Văn Đức")
    ]


async def test_refund_is_what_was_paid_and_not_given_back(db):
    built = await _dossier()
    did = built["dossier_id"]
    assert await fees.refund(did, reason="Từ chối") is None  # nothing paid yet
    await _pay(built)
    owed = await fees.refund(did, actor=built["clerk"], reason="Hồ sơ bị từ chối " + "x" * 3000)
    row = await Payment.select().where(Payment.id == owed["id"]).first()
    assert owed == {
        "id": row["id"],
        "dossier": did,
        "kind": "refund",
        "amount": 150000,
        "status": "pending",
        "note": "Hồ sơ bị từ chối " + "x" * 3000,
    }
    assert (row["kind"], row["method"], row["amount"], row["status"]) == (
        "refund",
        "pending",
        150000,
        "pending",
    )
    assert len(row["note"]) == 2000 and row["recorded_by"] == built["clerk"]["id"] and row["paid_at"] is None
    entry = await AuditEntry.select().where(AuditEntry.action == "fee.refund_owed").first()
    assert (entry["chain"], entry["object_id"], entry["actor_id"]) == (
        AGENCY_CHAIN,
        CODE,
        built["clerk"]["id"],
    )
    assert await fees.refund(did) is None  # already owed: nothing more
    assert await fees.totals(did) == {
        "fees": 150000,
        "paid": 150000,
        "refunded": 0,
        "refund_owed": 150000,
        "due": 0,
    }
    done = await fees.complete_refund(
        owed["id"], actor=built["clerk"]["id"], method="bank_transfer", reference=" FT-HOAN-01 "
    )
    assert done["status"] == "paid" and done["method"] == "bank_transfer" and done["amount"] == 150000
    after = await Payment.select().where(Payment.id == owed["id"]).first()
    assert (after["status"], after["method"], after["reference"]) == ("paid", "bank_transfer", "FT-HOAN-01")
    assert after["paid_at"] is not None
    assert await fees.refund(did) is None  # already given back: nothing more
    assert await fees.totals(did) == {
        "fees": 150000,
        "paid": 150000,
        "refunded": 150000,
        "refund_owed": 0,
        "due": 0,
    }
    entry = await AuditEntry.select().where(AuditEntry.action == "fee.refunded").first()
    assert (entry["chain"], entry["object_id"], entry["actor_id"]) == (
        AGENCY_CHAIN,
        CODE,
        built["clerk"]["id"],
    )
    assert _json(entry["data"]) == {"payment_id": owed["id"], "amount": 150000, "method": "bank_transfer"}
    with pytest.raises(InvalidInput) as exc:
        await fees.complete_refund(owed["id"], actor=None, method="cash")
    assert exc.value.errors == [("method", "Khoản này đã được hoàn trả.")]


REFUND_ERRORS = [
    ("an unknown method", "cheque", "", [("method", "Chọn hình thức hoàn trả: tiền mặt hoặc chuyển khoản.")]),
    (
        "a transfer needs its reference",
        "bank_transfer",
        "  ",
        [("reference", "Nhập mã giao dịch chuyển khoản hoàn trả.")],
    ),
]


@pytest.mark.parametrize(
    ("label", "method", "reference", "errors"), REFUND_ERRORS, ids=[_ascii(r[0]) for r in REFUND_ERRORS]
)
async def test_paying_a_refund_back_is_checked_at_the_field(db, label, method, reference, errors):
    built = await _dossier()
    await _pay(built)
    owed = await fees.refund(built["dossier_id"])
    with pytest.raises(InvalidInput) as exc:
        await fees.complete_refund(owed["id"], actor=None, method=method, reference=reference)
    assert exc.value.errors == errors and exc.value.message == "Thông tin hoàn trả chưa hợp lệ."
    assert (await Payment.select().where(Payment.id == owed["id"]).first())["status"] == "pending"
    # cash needs no reference
    assert (await fees.complete_refund(owed["id"], actor=None, method="cash"))["reference"] == ""


async def test_only_a_refund_row_can_be_paid_back(db):
    built = await _dossier()
    paid = await _pay(built)
    for missing in (paid["id"], 999999):
        with pytest.raises(NotFound, match="Không tìm thấy khoản hoàn trả."):
            await fees.complete_refund(missing, actor=None, method="cash")


async def test_the_quote_is_frozen_once_paid_and_replaced_before(db):
    built = await _dossier()
    did = built["dossier_id"]
    lines = await fees.fee_lines(did)
    assert [
        (ln["code"], ln["label"], ln["amount"], ln["legal_basis"], ln["exempt_reason"]) for ln in lines
    ] == [
        ("copy_fee", "Phí chứng thực", 100000, "Thông tư 226/2016/TT-BTC", ""),
        ("service", "Lệ phí", 50000, "", "Miễn một phần"),
    ]
    # unpaid: a new quote replaces the lines
    assert await fees.store_quote(did, FeeQuote(lines=(FeeLine("copy_fee", L("Phí"), 150000),))) == 150000
    assert [ln["amount"] for ln in await fees.fee_lines(did)] == [150000]
    await _pay(built)
    # paid: the same total is accepted as is (lines kept), another total is refused
    same = FeeQuote(lines=(FeeLine("a", L("A"), 100000), FeeLine("b", L("B"), 50000)))
    assert await fees.store_quote(did, same) == 150000
    assert [ln["code"] for ln in await fees.fee_lines(did)] == ["copy_fee"]
    with pytest.raises(InvalidInput) as exc:
        await fees.store_quote(did, FeeQuote(lines=(FeeLine("a", L("A"), 150001),)))
    assert exc.value.errors == [("fees", "Hồ sơ đã nộp phí; không thể thay đổi mức phí.")]
    # an empty quote before any payment clears the lines
    other = await build_dossier_again()
    await fees.store_quote(other, FeeQuote(lines=(FeeLine("a", L("A"), 1000),)))
    assert await fees.store_quote(other, FeeQuote(lines=())) == 0
    assert await DossierFee.count().where(DossierFee.dossier == other) == 0


async def build_dossier_again() -> int:
    from core.dossiers.tables import Dossier

    first = await Dossier.select().first()
    row = Dossier(**{k: v for k, v in first.items() if k != "id"} | {"code": CODE[:-1] + "8"})
    await row.save()
    return row.id


def test_method_labels():
    assert fees.method_label("cash") == "Tiền mặt tại Bộ phận Một cửa"
    assert fees.method_label("bank_transfer") == "Chuyển khoản (VietQR)"
    assert fees.method_label("post") == "Nộp qua bưu điện"
    assert fees.method_label("voucher") == "voucher"
    assert fees.method_label("gateway:nowhere") == "Cổng thanh toán nowhere"


def test_a_gateway_is_named_by_its_label(gateway):
    assert fees.method_label("gateway:demo_pay") == "Cổng thanh toán Cổng thử nghiệm"


class _BadRule:
    def __init__(self, amount):
        self.amount = amount

    @hookimpl
    def compute_fee(self, procedure, application, ctx):
        return FeeQuote(lines=(FeeLine("x", L("X"), self.amount),))


@pytest.mark.parametrize("amount", [-1, True, 1.5, "1000"])
async def test_a_plugin_must_quote_whole_non_negative_dong(db, amount):
    pm = get_plugin_manager()
    pm.register(_BadRule(amount), name="test-bad-rule")
    try:
        with pytest.raises(
            ValueError, match=r"^Phí 'x' của thủ tục 9\.000001 phải là số nguyên VND không âm\.$"
        ):
            await fees.quote(PROC, {}, None, "counter", date(2026, 11, 23))
    finally:
        pm.unregister(name="test-bad-rule")


async def test_a_free_line_is_accepted(db):
    pm = get_plugin_manager()
    pm.register(_BadRule(0), name="test-bad-rule")
    try:
        assert (await fees.quote(PROC, {}, None, "counter", date(2026, 11, 23))).total == 0
    finally:
        pm.unregister(name="test-bad-rule")


@pytest.fixture
def fee_rule():
    pm = get_plugin_manager()
    pm.register(_FeeRule(), name="test-fee-rule")
    yield
    pm.unregister(name="test-fee-rule")


async def test_the_amounts_of_today_in_vietnam_apply(db, fee_rule, monkeypatch):
    """Without a date, the fee table of the current day in Vietnam applies (already the 1st of July
    there while it is still 30 June in UTC)."""
    await FeeAmount(fee_code="copy_fee", amount=2000, effective_to=date(2026, 6, 30), set_at=T(1, 8)).save()
    await FeeAmount(
        fee_code="copy_fee",
        amount=3000,
        effective_from=date(2026, 7, 1),
        set_at=T(1, 8),
        legal_basis="NQ 05/2026",
    ).save()

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 6, 30, 18, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(fees, "datetime", Clock)
    q = await fees.quote(PROC, {"copies": 1})
    assert [(ln.code, ln.amount, ln.legal_basis) for ln in q.lines] == [
        ("copy_fee", 3000, "Thông tư 226/2016/TT-BTC"),
        ("service_fee", 0, ""),
    ]
    # the channel and the agency reach the plugin's rule
    assert (await fees.quote(PROC, {"copies": 1}, channel="online")).lines[0].amount == 0
