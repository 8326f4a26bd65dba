"""The citizen's result (issue 10): returned online, the issued result documents are downloaded from the
citizen's dossier page (its applicant only, once the fees are paid); sent by post, the tracking number
the post office's agent recorded when handing it over is shown."""

from __future__ import annotations

import pytest

from core.api import FeeLine, FeeQuote, L
from core.dossiers.tables import Dossier, DossierEvent
from core.fees import service as fees
from tests.fixtures.builders import login_as, make_user
from tests.integration.test_document_verification import _issue
from tests.integration.test_documents_builders import CODE, T, build_dossier
from tests.integration.test_documents_results import plugin_templates  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("plugin_templates")


async def _ready(built, channel: str, state: str = "result_ready") -> None:
    """The built dossier at ``state``, its result going by ``channel``, of a procedure the portal's
    catalogue has (household business registration)."""
    from plugins.business_reg.procedures import HOUSEHOLD

    await Dossier.update(
        {Dossier.state: state, Dossier.result_channel: channel, Dossier.procedure_code: HOUSEHOLD}
    ).where(Dossier.id == built["dossier_id"])


async def test_online_result_downloaded_by_its_applicant_only(db, client):
    built = await build_dossier()
    doc = await _issue(built)
    await _ready(built, "online")
    url = f"/ho-so-cua-toi/{CODE}/ket-qua/{doc['id']}.pdf"
    await login_as(client, built["applicant"])
    page = await client.get(f"/ho-so-cua-toi/{CODE}")
    assert page.status_code == 200 and f'href="{url}"' in page.text, page.text[-3000:]
    assert f'href="/xac-minh/{doc["public_id"]}"' in page.text
    pdf = await client.get(url)
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and pdf.content == (await client.get(f"/ho-so/{CODE}/tai-lieu/{doc['id']}.pdf")).content
    )
    for bad in (
        f"/ho-so-cua-toi/{CODE}/ket-qua/{doc['id'] + 99}.pdf",
        f"/ho-so-cua-toi/{CODE}/ket-qua/x.pdf",
    ):
        assert (await client.get(bad)).status_code == 404
    # a fee still due: pay first
    await fees.store_quote(
        built["dossier_id"],
        FeeQuote(lines=(FeeLine("le_phi", L("Lệ phí"), 50000, "Thông tư 85/2019/TT-BTC"),)),
    )
    page = await client.get(f"/ho-so-cua-toi/{CODE}")
    assert url not in page.text and "Nộp phí, lệ phí còn thiếu" in page.text, page.text[-3000:]
    assert (await client.get(url)).status_code == 404
    await fees.record_payment(
        built["dossier_id"], actor=await _clerk(built), method="cash", amount="50000", reference=""
    )
    assert (await client.get(url)).status_code == 200
    # nobody else: another citizen, and staff too (they have the dossier's documents page)
    for other in (await make_user("khac", full_name="Người Khác", cccd="075195004321"), built["clerk"]):
        client.cookies.clear()
        await login_as(client, other)
        assert (await client.get(url)).status_code == 404


async def _clerk(built):
    from tests.fixtures.engine_route import actor

    return await actor(built["clerk"])


async def test_post_shows_the_tracking_number_and_no_download(db, client):
    built = await build_dossier()
    doc = await _issue(built)
    await _ready(built, "post", state="returned")
    await DossierEvent(
        dossier=built["dossier_id"],
        seq=99,
        action="return_result",
        from_state="result_ready",
        to_state="returned",
        actor=built["clerk"]["id"],
        agency=built["tree"]["centre"]["id"],
        note="",
        data={"channel": "post", "receiver": {"tracking": "EB123456789VN", "relation": "holder"}},
        at=T(26, 9, 0),
    ).save()
    await login_as(client, built["applicant"])
    page = await client.get(f"/ho-so-cua-toi/{CODE}")
    assert "EB123456789VN" in page.text and "Số hiệu bưu gửi" in page.text, page.text[-3000:]
    assert f"/ket-qua/{doc['id']}.pdf" not in page.text
    assert (await client.get(f"/ho-so-cua-toi/{CODE}/ket-qua/{doc['id']}.pdf")).status_code == 404
