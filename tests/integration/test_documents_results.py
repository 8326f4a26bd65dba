"""Result documents: a plugin's print template (extending documents/base_print.html) rendered with
the plugin's data over core's common fields; and the dossier panels listing documents and fees."""

from __future__ import annotations

import pytest

from core.db.tx import write_tx
from core.documents import render, service
from core.documents.tasks import render_document
from core.settings import get_settings
from tests.integration.test_documents_builders import CODE, KEY, build_dossier, pdf_text, qr_payloads

RESULT_TEMPLATE = """{% extends "documents/base_print.html" %}
{% block number %}Số: {{ number }}{% endblock %}
{% block doc_heading %}{{ title }}{% endblock %}
{% block body %}<p>Cấp cho: <b>{{ applicant.name }}</b>, theo hồ sơ {{ code }}.</p>
<p>Nội dung: {{ content }}</p>{% endblock %}
"""


@pytest.fixture
def plugin_templates(tmp_path, monkeypatch):
    folder = tmp_path / "templates" / "demo"
    folder.mkdir(parents=True)
    (folder / "result.html").write_text(RESULT_TEMPLATE, encoding="utf-8")
    monkeypatch.setattr(render, "plugin_template_dirs", lambda: [tmp_path / "templates"])
    render.print_environment.cache_clear()
    yield
    render.print_environment.cache_clear()


async def test_result_document_from_a_plugin_template(db, tmp_path, plugin_templates):
    built = await build_dossier()
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            "demo_result",
            {
                "title": "Bản sao có chứng thực",
                "number": "CT-2026-00042",
                "content": "Bản sao được chứng thực từ bản chính",
            },
            built["events"]["receive"],
            "demo/result.html",
        )
        again = await service.request_result_document(
            built["dossier_id"], "demo_result", {"title": "x"}, built["events"]["receive"], "demo/result.html"
        )
    assert again == doc_id
    await render_document({}, document_id=doc_id)
    row = await service.get_document(doc_id)
    assert (
        row["status"] == "ready" and row["number"] == "CT-2026-00042" and row["kind"] == "result:demo_result"
    )
    pdf = service.read_file(row)
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    assert "BẢN SAO CÓ CHỨNG THỰC" in flat and "Số: CT-2026-00042" in flat
    assert (
        "Cấp cho: Nguyễn Thị Hằng" in flat and CODE in flat and "Đồng Nai, ngày 23 tháng 11 năm 2026" in flat
    )
    assert sorted(qr_payloads(pdf, tmp_path)) == [
        f"{get_settings().base_url}/tra-cuu/{CODE}?k={KEY}",
        f"{get_settings().base_url}/xac-minh/{row['public_id']}",  # every issued result can be verified
    ]


async def test_hook_dossier_panels_lists_documents_and_fees(db):
    from core.api import FeeLine, FeeQuote, L
    from core.documents.hooks import dossier_panels as document_panels
    from core.fees import service as fees
    from core.fees.hooks import dossier_panels as fee_panels

    built = await build_dossier()
    dossier = {"id": built["dossier_id"], "code": CODE}
    assert await document_panels(dossier=dossier, user=None, request=None) == []
    assert await fee_panels(dossier=dossier, user=None, request=None) == []
    async with write_tx():
        doc_id = await service.request_legal_form("form01", built["dossier_id"], built["events"]["receive"])
    await fees.store_quote(built["dossier_id"], FeeQuote(lines=(FeeLine("x", L("Phí chứng thực"), 30000),)))
    [docs] = await document_panels(dossier=dossier, user=None, request=None)
    assert docs.template == "documents/_panel.html"
    assert [(d["id"], d["status"]) for d in docs.context["documents"]] == [(doc_id, "pending")]
    assert docs.context["documents"][0]["label"].startswith("Mẫu số 01: Giấy tiếp nhận")
    [fee] = await fee_panels(dossier=dossier, user=None, request=None)
    assert fee.context["totals"]["due"] == 30000
