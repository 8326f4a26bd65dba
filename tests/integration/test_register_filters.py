"""The form-07 register page's filters (procedure, state, lateness), kept in the URL and the exports."""

from __future__ import annotations

import io

from core.dossiers.tables import Dossier
from tests.fixtures.builders import login_as
from tests.integration.test_documents_builders import CODE, T, build_dossier

PERIOD = "from=01/11/2026&to=30/11/2026"


async def _dossier(built: dict, n: int, *, state: str, late: bool) -> str:
    code = f"000.00.01.H39-261124-{n:04d}"
    await Dossier(
        code=code,
        procedure_code="9.000001",
        domain="test",
        receiving_agency=built["tree"]["centre"]["id"],
        applicant_name=f"Đặng Văn Tú {n}",
        data={},
        channel="truc_tuyen",
        state=state,
        late=late,
        received_at=T(24, 8 + n),
        due_at=T(26, 16),
        created_at=T(24, 8),
        updated_at=T(24, 8),
    ).save()
    return code


async def test_register_filters_state_and_lateness_kept_in_links_and_exports(client):
    from openpyxl import load_workbook

    built = await build_dossier()
    await login_as(client, built["clerk"])
    centre = built["tree"]["centre"]["id"]
    late = await _dossier(built, 1, state="in_processing", late=True)
    on_time = await _dossier(built, 2, state="in_processing", late=False)
    returned = await _dossier(built, 3, state="returned", late=False)
    base = f"/so-theo-doi?agency={centre}&{PERIOD}"

    every = (await client.get(base)).text
    assert all(c in every for c in (late, on_time, returned, CODE))

    r = await client.get(base + "&tre_han=1")
    assert r.status_code == 200 and late in r.text
    assert on_time not in r.text and returned not in r.text
    assert "tre_han=1" in r.text.split("/so-theo-doi.xlsx?", 1)[1].split('"', 1)[0]  # the export keeps it
    assert '<option value="1" selected>' in r.text

    r = await client.get(base + "&trang_thai=in_processing&tre_han=0")
    assert on_time in r.text and late not in r.text and returned not in r.text

    xlsx = await client.get(f"/so-theo-doi.xlsx?agency={centre}&{PERIOD}&trang_thai=returned")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert returned in cells and late not in cells and on_time not in cells

    r = await client.get(base + "&thu_tuc=khong-co&trang_thai=bay-ba&tre_han=x")
    assert r.status_code == 422
    assert "Chọn một thủ tục trong danh sách" in r.text and "Chọn một trạng thái trong danh sách" in r.text
    assert "Chỉ hồ sơ trễ hạn" in r.text

    r = await client.get(base + "&trang_thai=in_processing")
    assert "Sổ theo dõi hồ sơ" in r.text and 'aria-current="page"' in r.text
