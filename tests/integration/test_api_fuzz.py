"""Issue 12, the JSON API fuzzed from its own OpenAPI document (schemathesis, both engines).

The document the app serves (``/schema/openapi.json``) is loaded into schemathesis; every operation
in it is exercised with requests it generates, valid ones and ones that break the schema (wrong types,
missing fields, out-of-range values, odd strings), sent with the token of a clerk (the ward's
receiver), of a citizen, or with none. Every answer must be:

* never a 5xx;
* every 4xx an ``application/problem+json`` body (``core.json_api.openapi.Problem``) whose ``detail``
  is a Vietnamese sentence (and ``status`` the HTTP status).

A few dossier codes that exist are mixed into the generated path parameters, so the generated
requests also reach real dossiers (the clerk's, the citizen's).

Budget: ``MOTCUA_API_FUZZ_EXAMPLES`` requests (default 80). By hand, for thousands::

    MOTCUA_API_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q -p no:cacheprovider \\
        tests/integration/test_api_fuzz.py
"""

from __future__ import annotations

import asyncio
import json
import os
import re

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from schemathesis import GenerationMode

from core.dossiers import service
from core.identity.api_auth import issue_token
from tests.fixtures.engine_route import PROC, actor, setup_route

EXAMPLES = int(os.environ.get("MOTCUA_API_FUZZ_EXAMPLES", "80"))
PHASES = [p for p in Phase if p != Phase.shrink or os.environ.get("MOTCUA_FUZZ_SHRINK", "1") != "0"]
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
BASE = "http://127.0.0.1:8000"


def problems_of(status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with one answer (empty when it is acceptable)."""
    if status >= 500:
        return [f"{status}: {body[:300]!r}"]
    if status < 400:
        return []
    if not content_type.startswith("application/problem+json"):
        return [f"{status} answered as {content_type!r}, not problem+json: {body[:200]!r}"]
    try:
        doc = json.loads(body)
    except ValueError:
        return [f"{status}: not JSON: {body[:200]!r}"]
    out = []
    if doc.get("status") != status:
        out.append(f"{status}: problem says status {doc.get('status')!r}")
    detail = str(doc.get("detail") or "")
    if not VIETNAMESE.search(detail):
        out.append(f"{status}: detail not in Vietnamese: {detail!r}")
    for e in doc.get("errors") or ():
        if not VIETNAMESE.search(str(e.get("message", ""))):
            out.append(f"{status}: field message not in Vietnamese: {e!r}")
    return out


def test_problems_of_tells_good_answers_from_bad():
    ok = json.dumps({"type": "x", "title": "Không tìm thấy", "status": 404, "detail": "Không có hồ sơ này."})
    assert problems_of(404, "application/problem+json", ok.encode()) == []
    assert problems_of(200, "application/json", b"{}") == []
    assert problems_of(500, "application/problem+json", ok.encode())
    assert problems_of(404, "text/html", b"<p>Not found</p>")
    english = json.dumps({"type": "x", "title": "Not Found", "status": 404, "detail": "Not Found"})
    assert problems_of(404, "application/problem+json", english.encode())
    assert problems_of(400, "application/problem+json", ok.encode()), "status must agree"


async def test_generated_requests_get_no_5xx_and_vietnamese_problems(db, temp_plugin):
    from core.app import create_app

    w = await setup_route(temp_plugin)
    clerk = await issue_token(w["users"]["receiver"]["id"], "fuzz")
    citizen = await issue_token(w["users"]["citizen"]["id"], "fuzz")
    codes = []
    for who, channel in (("receiver", "truc_tiep"), ("citizen", "truc_tuyen")):
        d = await service.create(
            PROC,
            w["tree"]["ward"]["id"],
            actor=await actor(w["users"][who]),
            applicant={"name": "Nguyễn Văn An"},
            data={"subject": "x"},
            channel=channel,
        )
        if who == "receiver":
            d = await service.receive(d.id, actor=await actor(w["users"][who]), version=d.version)
        codes.append(d.code or str(d.id))
    app = create_app()
    found: dict[str, list[str]] = {}

    def run() -> None:
        with TestClient(app=app, base_url=BASE) as client:
            doc = client.get("/schema/openapi.json").json()
            schema = schemathesis.openapi.from_dict(doc)
            # the API's operations; the document also lists Litestar's own ``/schema/…`` routes (which
            # answer with Litestar's HTML 404 page, outside the API)
            operations = [op for r in schema.get_all_operations() if (op := r.ok()).path.startswith("/api/")]
            assert len(operations) >= 5, "the API's operations are in the document"

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=PHASES,
                database=None,
            )
            @given(data=st.data())
            def fuzz(data):
                op = data.draw(st.sampled_from(operations), label="operation")
                mode = data.draw(st.sampled_from((GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))
                path = {}
                if "{" in op.path and data.draw(st.booleans(), label="a real dossier"):
                    names = re.findall(r"{(\w+)}", op.path)
                    path = {n: data.draw(st.sampled_from(codes)) for n in names if "code" in n or "id" in n}
                case = data.draw(op.as_strategy(generation_mode=mode, path_parameters=path or None))
                token = data.draw(st.sampled_from((clerk, citizen, None)), label="token")
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                kwargs = case.as_transport_kwargs(base_url=BASE, headers=headers)
                kwargs.pop("cookies", None)
                try:  # a generated multipart part that is no file at all (an int) cannot be put on the wire
                    request = client.build_request(**kwargs)
                    request.read()
                except (TypeError, AttributeError, ValueError):
                    return
                r = client.send(request)
                bad = problems_of(r.status_code, r.headers.get("content-type", ""), r.content)
                if bad:
                    found.setdefault(f"{case.method} {op.path}", []).extend(bad)
                    raise AssertionError(f"{case.method} {r.request.url}: {bad}")

            fuzz()

    await asyncio.to_thread(run)
