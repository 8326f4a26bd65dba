"""What the outside security review (issue 7) tried and found holding, kept as regressions:

- uploads: only PDF/JPEG/PNG by content, at most 8 MB, the browser's file name never a path;
- XSS: a ``<script>`` or ``"><img onerror>`` typed by a citizen (applicant name, address, form answers,
  notes) is escaped on the dossier page, the status page, the register page and in form 01's HTML;
- SQL injection: quotes, ``%``, ``_`` and ``' OR 1=1--`` in the query parameters of the list pages give
  a normal page (200, or a 4xx with the field's message for a value outside the choices), never a 500,
  and no more rows than an honest query.
"""

from __future__ import annotations

import re

from core.documents.legal_forms import template_for
from core.documents.render import render_html
from core.documents.service import _load
from core.documents.tables import GeneratedDocument
from core.dossiers.attachments import MAX_BYTES
from core.dossiers.tables import Attachment
from plugins.land import procedures
from tests.fixtures.builders import grant, login_as, make_user
from tests.integration.test_dossier_attachments import _errors, _pdf, _upload
from tests.plugins.land.test_routes_http import API, BUYER, TRANSFER_DATA, WARD

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
INJECTIONS = ("'", '"', "%", "_", "' OR 1=1--", "%' OR '1'='1", '" OR ""="', "'; DROP TABLE dossier;--", "\\")


def _no_raw_markup(text: str, where: str) -> None:
    assert SCRIPT not in text and "<img src=x" not in text, where
    assert "onerror=alert" not in text.replace("onerror=alert(1)&gt;", ""), where


async def _draft(client, a, applicant: dict, data: dict) -> dict:
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.TRANSFER,
            "agency_code": WARD,
            "applicant": applicant,
            "data": data,
            "channel": "truc_tuyen",
        },
        headers=a.h("buyer"),
    )
    assert r.status_code == 201, r.text
    return r.json()


# --- uploads -------------------------------------------------------------------------------------------


async def test_uploads_are_checked_by_type_size_and_name(client, world):
    a = world["actors"]
    d = await _draft(client, a, BUYER, TRANSFER_DATA)
    ref = d["code"] or str(d["id"])
    for name, content in (
        ("trang.html", b"<html><script>alert(1)</script></html>"),
        ("x.pdf", b"MZ\x90\x00"),
        ("anh.gif", b"GIF89a\x01\x00\x01\x00"),
        ("x.svg", b"<svg onload=alert(1)>"),
    ):
        r = await _upload(client, a, "buyer", d, "contract", name, content)
        assert r.status_code == 422 and "PDF, JPEG hoặc PNG" in _errors(r)["file"], name
    big = _pdf() + b"%" * (MAX_BYTES + 1)
    r = await _upload(client, a, "buyer", d, "contract", "to.pdf", big)
    assert r.status_code in (413, 422), r.status_code
    if r.status_code == 422:
        assert "quá lớn" in _errors(r)["file"]
    assert await Attachment.count() == 0
    # The browser's file name is a label, never a path: no folder part, no control character, and the
    # file is stored under the dossier's folder by its hash whatever the name says.
    pdf = _pdf()
    r = await _upload(client, a, "buyer", d, "contract", "../../etc/passwd\x00<b>.pdf", pdf)
    assert r.status_code == 201, r.text
    row = await Attachment.select().where(Attachment.id == r.json()["id"]).first()
    assert "/" not in row["filename"] and "\\" not in row["filename"] and "\x00" not in row["filename"]
    assert re.fullmatch(rf"uploads/{d['id']}/[0-9a-f]{{64}}\.pdf", row["path"])
    await login_as(client, a.users["buyer"])
    page = await client.get(f"/ho-so/{ref}")
    assert page.status_code == 200 and "<b>.pdf" not in page.text and "&lt;b&gt;.pdf" in page.text


# --- XSS -----------------------------------------------------------------------------------------------


async def test_citizen_free_text_is_escaped_on_every_page_and_in_form01(client, world):
    a = world["actors"]
    applicant = {**BUYER, "name": f"Lê Văn Cường {SCRIPT}", "address": f"Ấp 1 {IMG}"}
    data = {
        **TRANSFER_DATA,
        "transferee_address": f"Ấp 1, xã Tân Phú {IMG}",
        "contract_number": f"12{SCRIPT}",
    }
    d = await _draft(client, a, applicant, data)
    r = await client.post(
        f"{API}/{d['id']}/submit",
        headers=a.h("buyer"),
        json={"version": d["version"], "note": f"Ghi chú {SCRIPT}"},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    r = await client.post(
        f"{API}/{d['code']}/receive",
        headers=a.h("ward_receiver"),
        json={"version": d["version"], "note": f"Đã nhận {IMG}"},
    )
    assert r.status_code == 200, r.text
    code = r.json()["code"]

    escaped_script = "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;"
    for who in ("buyer", "ward_receiver"):
        client.cookies.clear()
        await login_as(client, a.users[who])
        page = await client.get(f"/ho-so/{code}")
        assert page.status_code == 200
        _no_raw_markup(page.text, f"dossier page as {who}")
        assert escaped_script in page.text.replace("&quot;", "&#34;")  # the text is shown, escaped
    client.cookies.clear()
    from core.dossiers import service as dossiers

    key = (await dossiers.get(code)).lookup_key
    status = await client.get(f"/tra-cuu/{code}", params={"k": key})
    assert status.status_code == 200
    _no_raw_markup(status.text, "status page")
    await login_as(client, a.users["ward_receiver"])
    register = await client.get("/so-theo-doi", params={"agency": str(world["tree"]["ward"]["id"])})
    assert register.status_code == 200 and code in register.text
    _no_raw_markup(register.text, "register page")
    assert "&lt;script&gt;" in register.text

    doc = (
        await GeneratedDocument.select()
        .where((GeneratedDocument.dossier == d["id"]) & (GeneratedDocument.kind == "form01"))
        .first()
    )
    assert doc is not None
    html = render_html(template_for(doc["kind"], doc["template_version"]), _load(doc["context"]))
    _no_raw_markup(html, "form 01")
    assert "&lt;script&gt;" in html


# --- SQL injection -------------------------------------------------------------------------------------


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


async def test_sql_metacharacters_in_search_and_filter_parameters(client, world):
    a = world["actors"]
    tree = world["tree"]
    d = await _draft(client, a, BUYER, TRANSFER_DATA)
    r = await client.post(f"{API}/{d['id']}/submit", json={"version": d["version"]}, headers=a.h("buyer"))
    r = await client.post(
        f"{API}/{r.json()['code']}/receive",
        json={"version": r.json()["version"]},
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 200, r.text
    admin = await make_user("qt.tinh.sql")
    await grant(admin, tree["province"], "province_admin")

    # Public catalogue search: no value finds more than the empty search (which lists everything).
    every = _count(r"<li>", (await client.get("/thu-tuc")).text)
    for value in INJECTIONS:
        for key in ("q", "linh_vuc", "co_quan", "muc_do"):
            r = await client.get("/thu-tuc", params={key: value})
            assert r.status_code == 200, (key, value)
            assert _count(r"<li>", r.text) <= every, (key, value)
        r = await client.get("/thu-tuc", params={"q": value})
        if any(ch.isalnum() or ch == "%" for ch in value):
            assert "thu-tuc/" not in r.text.split('id="results"', 1)[1], value  # nothing matches
    # Public business register look-up.
    for value in INJECTIONS:
        r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": value})
        assert r.status_code in (200, 422), value
        assert "/dang-ky-kinh-doanh/doanh-nghiep/" not in r.text, value

    # Staff: the register's filters, the land and civil-status registries.
    await login_as(client, a.users["ward_receiver"])
    ward = str(tree["ward"]["id"])
    honest = _count(r'href="/ho-so/', (await client.get("/so-theo-doi", params={"agency": ward})).text)
    assert honest == 1
    for value in INJECTIONS:
        for params in (
            {"agency": value},
            {"agency": f"{ward} OR 1=1"},
            {"agency": ward, "linh_vuc": value},
            {"agency": ward, "from": value},
            {"agency": ward, "to": value},
            {"agency": ward, "trang": value},
        ):
            r = await client.get("/so-theo-doi", params=params)
            assert r.status_code in (200, 400, 422), (
                params,
                r.status_code,
            )  # 400: a page number that is none
            assert _count(r'href="/ho-so/', r.text) <= honest, params
            if r.status_code == 422:
                assert 'class="error' in r.text, params
        for key in ("commune_code", "map_sheet", "parcel_number", "serial"):
            r = await client.get("/dat-dai/tra-cuu", params={key: value, "commune_code": value})
            assert r.status_code in (200, 403, 422), (key, value)
            assert "/dat-dai/thua-dat/" not in r.text, (key, value)
        for key in ("kind", "year", "entry_number", "cccd"):
            r = await client.get("/ho-tich/tra-cuu", params={key: value})
            assert r.status_code in (200, 403, 422), (key, value)
            assert "/ho-tich/tra-cuu/" not in r.text, (key, value)

    # Province admin: user search, catalogue matrix, audit log, jobs, outbox.
    client.cookies.clear()
    await login_as(client, admin)
    for value in INJECTIONS:
        r = await client.get("/quan-tri/nguoi-dung", params={"q": value})
        assert r.status_code == 200, value
        listed = re.findall(r'<tr id="user-\d+">\s*<td>(?:<a href="[^"]*">)?<code>([^<]+)</code>', r.text)
        assert all(value in name for name in listed), (value, listed)  # "%", "_" are literal, not wildcards
        assert value != "_" or "ward_receiver" in listed
        for url, keys in (
            ("/quan-tri/thu-tuc", ("linh_vuc", "cap")),
            ("/quan-tri/nhat-ky", ("chuoi", "trang")),
            ("/quan-tri/tac-vu", ("trang_thai", "trang")),
            ("/quan-tri/thu-di", ("trang_thai", "kenh", "trang")),
        ):
            for key in keys:
                r = await client.get(url, params={key: value})
                assert r.status_code in (200, 400, 422), (url, key, value, r.status_code)
