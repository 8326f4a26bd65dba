"""Fees: quotes from the plugin rule and the province's table, payments of exactly the balance,
the electronic receipt, refunds when a paid dossier ends refused or stopped."""

from __future__ import annotations

from datetime import date

import pytest

from core.api import DocumentRequirement, FeeLine, FeeQuote, L, ProcedureSpec, hookimpl
from core.catalogue.tables import FeeAmount
from core.contract.errors import InvalidInput
from core.documents import service as documents
from core.documents.tasks import render_document
from core.fees import service as fees
from core.fees.tables import Payment
from core.plugins import get_plugin_manager
from core.settings import get_settings
from tests.integration.test_documents_builders import (
    CODE,
    KEY,
    T,
    assert_a4_embedded,
    build_dossier,
    keep_pdf,
    pdf_text,
    qr_payloads,
)

PROC = ProcedureSpec(
    code="9.000001",
    domain="test",
    name=L("Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    agency_level="commune",
    processing_days=2,
    legal_basis=("Nghị định 23/2015/NĐ-CP",),
    documents=(DocumentRequirement("original", L("Bản chính")),),
    form="f",
    workflow="w",
)


class _FeeRule:
    @hookimpl
    def compute_fee(self, procedure, application, ctx):
        if procedure.code != PROC.code:
            return None
        copies = int(application.get("copies", 1))
        per_page = ctx["fees"].get("copy_fee", 0)
        online = ctx["channel"] == "online"
        return FeeQuote(
            lines=(
                FeeLine(
                    "copy_fee",
                    L("Phí chứng thực bản sao"),
                    0 if online else per_page * copies,
                    "Thông tư 226/2016/TT-BTC",
                    L("Nộp trực tuyến") if online else None,
                ),
                FeeLine("service_fee", L("Phí dịch vụ"), ctx["fees"].get("service_fee", 0)),
            )
        )


@pytest.fixture
def fee_rule():
    pm = get_plugin_manager()
    pm.register(_FeeRule(), name="test-fee-rule")
    yield
    pm.unregister(name="test-fee-rule")


async def _fee_table():
    await FeeAmount(
        fee_code="copy_fee",
        amount=2000,
        effective_from=date(2020, 1, 1),
        effective_to=date(2026, 6, 30),
        set_at=T(1, 8),
    ).save()
    await FeeAmount(
        fee_code="copy_fee",
        amount=3000,
        effective_from=date(2026, 7, 1),
        set_at=T(1, 8),
        legal_basis="Nghị quyết 05/2026/NQ-HĐND tỉnh Đồng Nai",
    ).save()
    await FeeAmount(
        fee_code="service_fee",
        amount=5000,
        set_at=T(1, 8),
        legal_basis="Nghị quyết 05/2026/NQ-HĐND tỉnh Đồng Nai",
    ).save()
    await FeeAmount(fee_code="copy_fee", procedure_code="1.999999", amount=9999, set_at=T(1, 8)).save()


async def test_quote_uses_the_amounts_in_force_and_the_channel(db, fee_rule):
    await _fee_table()
    q = await fees.quote(PROC, {"copies": "5"}, None, "counter", date(2026, 11, 23))
    assert q.total == 20000 and q.lines[0].legal_basis == "Thông tư 226/2016/TT-BTC"
    assert q.lines[1].legal_basis == "Nghị quyết 05/2026/NQ-HĐND tỉnh Đồng Nai"  # from the fee table
    assert (await fees.quote(PROC, {"copies": "5"}, None, "counter", date(2026, 1, 5))).total == 15000
    online = await fees.quote(PROC, {"copies": "5"}, None, "online", date(2026, 11, 23))
    assert online.total == 5000 and online.lines[0].exempt_reason.vi == "Nộp trực tuyến"


async def test_no_plugin_answer_gives_an_empty_quote(db):
    other = ProcedureSpec(**{**{f: getattr(PROC, f) for f in PROC.__slots__}, "code": "9.000002"})
    q = await fees.quote(other, {}, None, "counter", date(2026, 11, 23))
    assert q.lines == () and q.total == 0


async def _with_fee(amount: int = 150000) -> dict:
    built = await build_dossier()
    await fees.store_quote(
        built["dossier_id"],
        FeeQuote(
            lines=(
                FeeLine("copy_fee", L("Phí chứng thực"), amount - 50000, "Thông tư 226/2016/TT-BTC"),
                FeeLine("service", L("Lệ phí cấp bản sao"), 50000, "Nghị quyết 12/2025/NQ-HĐND"),
            )
        ),
    )
    return built


@pytest.mark.parametrize(
    ("method", "amount", "reference", "field", "message"),
    [
        ("cash", "100000", "", "amount", "Số tiền chưa đủ: phải nộp đủ 150.000 đồng."),
        ("cash", "200.000", "", "amount", "Số tiền vượt quá số phải nộp (150.000 đồng)."),
        ("cash", "-5", "", "amount", "Số tiền phải lớn hơn 0 đồng."),
        ("cash", "một trăm", "", "amount", "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000)."),
        (
            "bank_transfer",
            "150000",
            "",
            "reference",
            "Nhập mã giao dịch (chuyển khoản) hoặc số biên nhận của bưu điện.",
        ),
        ("cheque", "150000", "x", "method", "Chọn hình thức nộp: tiền mặt, chuyển khoản hoặc bưu điện."),
    ],
)
async def test_bad_payments_are_refused_at_the_field(db, method, amount, reference, field, message):
    built = await _with_fee()
    with pytest.raises(InvalidInput) as exc:
        await fees.record_payment(
            built["dossier_id"], actor=built["clerk"], method=method, amount=amount, reference=reference
        )
    assert (field, message) in exc.value.errors
    assert await fees.balance_due(built["dossier_id"]) == 150000
    assert await Payment.count().where(Payment.dossier == built["dossier_id"]) == 0


async def test_hook_on_payment(db, temp_plugin):
    """Every plugin hears of a settled payment inside the transaction that records it (the row is
    already there); core's documents answers with the receipt it issued."""
    seen = []

    class Listener:
        @hookimpl
        async def on_payment(self, payment_id, dossier_id):
            seen.append((payment_id, dossier_id, await Payment.count().where(Payment.id == payment_id)))

    temp_plugin(Listener(), "test-payment-listener")
    built = await _with_fee()
    paid = await fees.record_payment(
        built["dossier_id"], actor=built["clerk"], method="cash", amount="150000"
    )
    assert seen == [(paid["id"], built["dossier_id"], 1)]
    assert paid["receipt_number"] == "2026-000001"
    assert (await documents.get_document(paid["document_id"]))["kind"] == "fee_receipt"


async def test_a_failing_on_payment_leaves_no_payment(db, temp_plugin):
    class Broken:
        @hookimpl
        def on_payment(self, payment_id, dossier_id):
            raise RuntimeError("the province's ledger is down")

    temp_plugin(Broken(), "test-payment-broken")
    built = await _with_fee()
    with pytest.raises(RuntimeError):
        await fees.record_payment(built["dossier_id"], actor=built["clerk"], method="cash", amount="150000")
    assert await Payment.count().where(Payment.dossier == built["dossier_id"]) == 0
    assert await fees.balance_due(built["dossier_id"]) == 150000


async def test_payment_receipt_and_balance(db, tmp_path):
    built = await _with_fee()
    did = built["dossier_id"]
    assert await fees.balance_due(did) == 150000
    paid = await fees.record_payment(did, actor=built["clerk"], method="cash", amount="150.000")
    assert paid["receipt_number"] == "2026-000001" and paid["status"] == "paid"
    assert await fees.balance_due(did) == 0
    assert (await fees.totals(did))["paid"] == 150000
    await render_document({}, document_id=paid["document_id"])
    row = await documents.get_document(paid["document_id"])
    keep_pdf("fee_receipt", documents.read_file(row))
    flat = " ".join(pdf_text(documents.read_file(row), tmp_path).split())
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in flat and "2026-000001" in flat
    assert "Một trăm năm mươi nghìn đồng" in flat and "Nguyễn Thị Hằng" in flat and CODE in flat
    assert "Tiền mặt tại Bộ phận Một cửa" in flat and "Trần Văn Đức" in flat
    assert_a4_embedded(documents.read_file(row), tmp_path)
    assert qr_payloads(documents.read_file(row), tmp_path) == [
        f"{get_settings().base_url}/tra-cuu/{CODE}?k={KEY}"
    ]
    with pytest.raises(InvalidInput) as exc:
        await fees.record_payment(did, actor=built["clerk"], method="cash", amount=150000)
    assert exc.value.errors == [("amount", "Hồ sơ không còn khoản phí, lệ phí nào phải nộp.")]
    # the quote is frozen once paid
    with pytest.raises(InvalidInput):
        await fees.store_quote(did, FeeQuote(lines=(FeeLine("x", L("Phí khác"), 1000),)))


async def test_payment_is_audited(db):
    from core.audit.tables import AuditEntry

    built = await _with_fee()
    await fees.record_payment(
        built["dossier_id"],
        actor=built["clerk"],
        method="bank_transfer",
        amount=150000,
        reference="FT2632700001",
    )
    entry = await AuditEntry.select().where(AuditEntry.action == "fee.payment").first()
    assert entry["chain"] == "agency:000.00.01.H39" and entry["object_id"] == CODE
    assert entry["actor_id"] == built["clerk"]["id"]


async def test_refund_owed_when_a_paid_dossier_is_refused_then_paid_back(db):
    from core.fees.hooks import on_dossier_event

    built = await _with_fee()
    did = built["dossier_id"]
    await fees.record_payment(did, actor=built["clerk"], method="cash", amount=150000)
    event = {"id": 99, "action": "reject", "from_state": "in_processing", "to_state": "result_refused"}
    await on_dossier_event(event=event, dossier={"id": did}, ctx={})
    await on_dossier_event(event=event, dossier={"id": did}, ctx={})  # delivered twice: one refund
    t = await fees.totals(did)
    assert t["refund_owed"] == 150000 and t["refunded"] == 0
    refund = await Payment.select().where((Payment.dossier == did) & (Payment.kind == "refund"))
    assert len(refund) == 1 and refund[0]["status"] == "pending"
    with pytest.raises(InvalidInput) as exc:
        await fees.complete_refund(
            refund[0]["id"], actor=built["clerk"], method="bank_transfer", reference=" "
        )
    assert exc.value.errors == [("reference", "Nhập mã giao dịch chuyển khoản hoàn trả.")]
    await fees.complete_refund(refund[0]["id"], actor=built["clerk"], method="cash")
    t = await fees.totals(did)
    assert t["refunded"] == 150000 and t["refund_owed"] == 0


async def test_unpaid_dossier_refused_owes_nothing(db):
    from core.fees.hooks import on_dossier_event

    built = await _with_fee()
    await on_dossier_event(
        event={"id": 1, "from_state": "received", "to_state": "refused"},
        dossier={"id": built["dossier_id"]},
        ctx={},
    )
    assert (await fees.totals(built["dossier_id"]))["refund_owed"] == 0
