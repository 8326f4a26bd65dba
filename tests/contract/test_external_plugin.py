"""A plugin package that lives outside this repository, found through the ``motcua.plugins`` entry
point exactly as pip installs it (a ``*.dist-info/entry_points.txt`` on the path), works with no
change to core. The package is docs/examples/motcua_certification, the guide's example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "motcua_certification"

SNIPPET = r"""
import json
from core.catalogue.registry import get_catalogue
cat = get_catalogue()
p = cat.procedures["2.000815"]
owner = cat.owner["procedure:2.000815"]
print(json.dumps({"domains": sorted(cat.domains), "owner": owner, "name": p.name.vi}))
"""


def _install_metadata(site: Path) -> None:
    """What ``pip install`` leaves behind that entry-point discovery reads."""
    dist = site / "motcua_certification-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: motcua-certification\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[motcua.plugins]\ncertification = motcua_certification\n")


def _run(tmp_path: Path, snippet: str) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    _install_metadata(site)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(EXAMPLE)]),
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", snippet], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_external_plugin_package_joins_the_catalogue(tmp_path):
    r = _run(tmp_path, SNIPPET)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "certification" in out["domains"]
    assert out["owner"] == "certification"
    assert out["name"].startswith("Chứng thực bản sao")


def test_example_plugin_built_as_a_wheel_joins_the_catalogue(tmp_path):
    """The example as a non-editable install holds it: what setuptools puts in a wheel of this pure
    package (``build_py``: the modules and the declared package data) and the metadata with its entry
    point (``egg_info``), in a folder of their own, away from the sources."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(site),
            "egg_info",
            "--egg-base",
            str(site),
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (site / "motcua_certification" / "__init__.py").is_file()
    assert "motcua.plugins" in (site / "motcua_certification.egg-info" / "entry_points.txt").read_text()
    env = {**os.environ, "PYTHONPATH": str(site), "MOTCUA_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    r = subprocess.run(
        [sys.executable, "-c", SNIPPET], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "certification" in out["domains"] and out["owner"] == "certification"


def test_example_plugin_fee_rule():
    sys.path.insert(0, str(EXAMPLE))
    try:
        import motcua_certification as ex
    finally:
        sys.path.remove(str(EXAMPLE))
    assert ex.per_copy_fee(1) == 2_000
    assert ex.per_copy_fee(5) == 2_000 * 2 + 1_000 * 3
    assert ex.per_copy_fee(400) == 200_000


@pytest.fixture
def certification(temp_plugin):
    """The example package, registered as pip would make it found (the catalogue is rebuilt)."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        import motcua_certification
    finally:
        sys.path.remove(str(EXAMPLE))
    return temp_plugin(motcua_certification, "certification")


async def test_example_plugin_works_end_to_end_as_the_guide_says(client, app, certification):
    """docs/write_a_plugin.md, followed to the letter: the province admin enables the procedure at a
    ward on /quan-tri/thu-tuc (§7), it appears in that ward's catalogue, a citizen applies online,
    the form's declarative and cross-field rules answer at the field (§3), the clerk receives it, the
    route's two steps are done by the right roles (§4, the wrong role gets 403), the fee rule prices
    it (§5), the result is approved and returned."""
    from litestar.testing import AsyncTestClient

    from core.fees import service as fees
    from core.identity.api_auth import issue_token
    from tests.conftest import csrf_from
    from tests.fixtures.builders import grant, login_as, make_user, standard_tree

    tree = await standard_tree()
    ward = tree["ward"]
    users = {}
    for key, agency, role in (
        ("citizen", None, None),
        ("receiver", "ward", "receiver"),
        ("officer", "ward", "specialist"),
        ("chairman", "ward", "approver"),
        ("admin", "province", "province_admin"),
    ):
        users[key] = await make_user(key, cccd="075195001234" if key == "citizen" else None)
        if agency:
            await grant(users[key], tree[agency], role)
    h = {k: {"Authorization": f"Bearer {await issue_token(u['id'], 'test')}"} for k, u in users.items()}

    assert (await client.get("/api/v1/procedures", params={"agency": ward["code"]})).json() == []
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as admin:
        await login_as(admin, users["admin"])
        r = await admin.post(
            "/quan-tri/thu-tuc",
            data={
                "agency_id": str(ward["id"]),
                "target": "procedure:2.000815",
                "enabled": "1",
                "_csrf_token": csrf_from(admin),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    listed = (await client.get("/api/v1/procedures", params={"agency": ward["code"]})).json()
    assert [p["code"] for p in listed] == ["2.000815"] and listed[0]["domain"] == "certification"
    detail = (await client.get("/api/v1/procedures/2.000815")).json()
    assert [s["id"] for s in detail["steps"]] == ["check", "sign"]

    body = {
        "procedure_code": "2.000815",
        "agency_code": ward["code"],
        "channel": "truc_tuyen",
        "applicant": {"name": "Trần Thị Thu Hà", "id_number": "075195001234", "phone": "0912345678"},
    }
    r = await client.post(
        "/api/v1/dossiers",
        json={**body, "data": {"document_name": "Bản sao học bạ", "pages": 0, "copies": 2}},
        headers=h["citizen"],
    )
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert "pages" in fields, r.text
    r = await client.post(
        "/api/v1/dossiers",
        json={**body, "data": {"document_name": "Bản sao học bạ", "pages": 3, "copies": 2}},
        headers=h["citizen"],
    )
    assert r.status_code == 422 and "document_name" in r.text and "bản chính" in r.text, r.text
    r = await client.post(
        "/api/v1/dossiers",
        json={**body, "data": {"document_name": "Bằng tốt nghiệp THPT", "pages": 3, "copies": 2}},
        headers=h["citizen"],
    )
    assert r.status_code == 201, r.text
    d = r.json()
    d = (
        await client.post(
            f"/api/v1/dossiers/{d['id']}/submit", json={"version": d["version"]}, headers=h["citizen"]
        )
    ).json()
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/receive", json={"version": d["version"]}, headers=h["receiver"]
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert [(s["step_id"], s["agency"]["code"], s["role"]) for s in d["steps"]] == [
        ("check", ward["code"], "specialist"),
        ("sign", ward["code"], "approver"),
    ]

    async def act(who, action, expect=200):
        step = next(s for s in d["steps"] if s["status"] == "active")
        r = await client.post(
            f"/api/v1/dossiers/{d['code']}/actions/{action}",
            json={"version": d["version"], "step_id": step["id"], "note": ""},
            headers=h[who],
        )
        assert r.status_code == expect, (who, action, r.text)
        return r.json() if expect == 200 else d

    await act("chairman", "complete_step", 403)
    d = await act("officer", "complete_step")
    await act("officer", "approve", 403)
    d = await act("chairman", "approve")
    assert d["state"] == "result_approved"
    # Circular 226/2016: 2,000 + 2,000 + 1,000 per copy of 3 pages, 2 copies.
    assert await fees.balance_due(d["id"]) == 10_000
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/actions/mark_result_ready",
        json={"version": d["version"]},
        headers=h["receiver"],
    )
    d = r.json()
    await fees.record_payment(d["id"], actor=None, method="cash", amount=10_000)
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/actions/return_result",
        json={
            "version": d["version"],
            "channel": "counter",
            "receiver": {"name": "Trần Thị Thu Hà", "id_number": "075195001234"},
        },
        headers=h["receiver"],
    )
    assert r.status_code == 200 and r.json()["state"] == "returned", r.text
