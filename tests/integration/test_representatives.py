"""Applying on someone's behalf (issue 10): the intake service records both identities, the applicant
(the person applied for) and the representative who files (``submitted_by``), with the authorisation;
the dossier gets an upload slot for the authorisation; form 01 prints both."""

from __future__ import annotations

import pytest

from core.contract.errors import InvalidInput
from core.documents import service as documents
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.dossiers import attachments, service
from tests.fixtures.engine_route import PROC, actor, setup_route
from tests.integration.test_documents_builders import pdf_text

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)
AUTHORISATION = "Giấy ủy quyền số 15/2026 ngày 28/11/2026, chứng thực tại UBND phường Trấn Biên"


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def test_online_on_behalf_records_both_and_form01_prints_them(world, tmp_path):
    """Rule: online, the representative is the signed-in account (name and CCCD from it, not typed); the
    applicant is typed and never taken from the account; the authorisation slot opens; form 01 prints
    the applicant and the representative with the authorisation."""
    w = world
    citizen = w["as"]["citizen"]
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=citizen,
        applicant={"name": "Trần Thị Bình", "id_number": "075190001234", "address": "Số 5 Võ Thị Sáu"},
        representative={
            "name": "Người khác (bị bỏ qua)",
            "address": "Số 9 Hà Huy Giáp",
            "document": AUTHORISATION,
        },
        data={"subject": "Xin cấp giấy"},
    )
    assert (d.applicant_name, d.applicant_id_number) == ("Trần Thị Bình", "075190001234")
    rep = d.data["representative"]
    assert rep["name"] == "Nguyễn Văn An" and rep["id_number"] == "079123456789"  # from the account
    assert rep["document"] == AUTHORISATION and rep["user_id"] == citizen.id

    draft_code = d.id
    row = await attachments.add(
        str(draft_code),
        actor=citizen,
        document_code="van_ban_uy_quyen",
        filename="uy-quyen.pdf",
        content=MINIMAL_PDF,
    )
    assert row["document_code"] == "van_ban_uy_quyen"

    d = await service.submit(d.id, actor=citizen, version=d.version)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    form01 = (
        await GeneratedDocument.select(GeneratedDocument.id)
        .where((GeneratedDocument.dossier == d.id) & (GeneratedDocument.kind == "form01"))
        .first()
    )
    await render_document({}, document_id=form01["id"])
    text = " ".join(
        pdf_text(documents.read_file(await documents.get_document(form01["id"])), tmp_path).split()
    )
    assert "Ông/Bà: Trần Thị Bình" in text and "075190001234" in text
    assert "Người được ủy quyền: Nguyễn Văn An" in text and "079123456789" in text
    assert "Giấy ủy quyền số 15/2026" in text


async def test_on_behalf_needs_an_authorisation_and_two_different_people(world):
    w = world
    citizen = w["as"]["citizen"]

    async def attempt(applicant, representative, who="citizen", channel="truc_tuyen"):
        with pytest.raises(InvalidInput) as info:
            await service.create(
                PROC,
                w["tree"]["ward"]["id"],
                actor=w["as"][who],
                applicant=applicant,
                representative=representative,
                data={"subject": "x"},
                channel=channel,
            )
        return dict(info.value.errors)

    errors = await attempt({"name": "Trần Thị Bình", "id_number": "075190001234"}, {"address": "Số 9"})
    assert "văn bản ủy quyền" in errors["representative.document"].lower()
    errors = await attempt({"name": "Chính tôi", "id_number": "079123456789"}, {"document": AUTHORISATION})
    assert "cùng một người" in errors["applicant.id_number"]
    errors = await attempt({"name": "Trần Thị Bình"}, {"document": AUTHORISATION})
    assert "người yêu cầu giải quyết" in errors["applicant.id_number"]
    errors = await attempt(
        {"name": "Trần Thị Bình", "id_number": "075190001234"},
        {"name": "Lê Văn Cường", "id_number": "12345", "document": AUTHORISATION},
        who="receiver",
        channel="truc_tiep",
    )
    assert "12 chữ số" in errors["representative.id_number"]

    # At the counter the clerk types the representative; without one, no authorisation slot.
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Trần Thị Bình", "id_number": "075190001234"},
        representative={
            "name": "Lê Văn Cường",
            "id_number": "079089001234",
            "phone": "0912 000 111",
            "document": AUTHORISATION,
        },
        data={"subject": "x"},
        channel="truc_tiep",
    )
    assert d.data["representative"]["name"] == "Lê Văn Cường" and d.data["representative"]["user_id"] is None
    assert d.data["representative"]["phone"] == "0912000111"
    plain = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=citizen,
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "x"},
    )
    assert "representative" not in plain.data and plain.applicant_id_number == "079123456789"
    with pytest.raises(InvalidInput):
        await attachments.add(
            str(plain.id),
            actor=citizen,
            document_code="van_ban_uy_quyen",
            filename="u.pdf",
            content=MINIMAL_PDF,
        )
