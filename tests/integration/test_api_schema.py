"""Issue 8, "The JSON API describes itself": ``/schema/openapi.json`` is enough to write a client.

* Every JSON API route of the application's route table is in the document with its request body
  schema (when it takes one: every field typed, strings with their maximum length), its response
  schema and its security: the bearer scheme exactly on the routes whose handler needs a token.
* A client that knows nothing but the document finds a procedure and its agency, builds a
  create-dossier body by walking the ``CreateDossier`` schema, checks it against that schema, posts it,
  checks the answer against the response schema, then submits it the same way.
* A body its schema refuses gets 422 with a Vietnamese message at every field at fault, never a 500.
* The response types list every key the views give (a field added to a view must be added to the API).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from core.identity.api_auth import api_user, issue_token
from core.json_api import bodies
from tests.fixtures.engine_route import PROC, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["tok"] = {name: await issue_token(u["id"], "test") for name, u in w["users"].items()}
    return w


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def _doc(client) -> dict:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


# --- a tiny JSON Schema checker (the subset the document uses) ------------------------------------------


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def check(doc: dict, schema: dict, value: Any, path: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema`` (empty when it conforms)."""
    schema = _resolve(doc, schema)
    if "oneOf" in schema or "anyOf" in schema:  # the keywords beside oneOf apply too
        options = schema.get("oneOf") or schema["anyOf"]
        results = [check(doc, s, value, path) for s in options]
        if all(results):
            return [f"{path}: matches none of {len(options)} options: {results}"]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    py = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "object": dict,
        "array": list,
        "null": type(None),
    }
    if kinds and not any(
        isinstance(value, py[k]) and not (k in ("integer", "number") and isinstance(value, bool))
        for k in kinds
    ):
        return [f"{path}: {type(value).__name__} is not {kinds}"]
    out = []
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                out.append(f"{path}: missing {key}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                out += check(doc, sub, value[key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += check(doc, schema["items"], item, f"{path}[{i}]")
    return out


# --- the document covers every route --------------------------------------------------------------------


def _api_routes(app) -> list[tuple[str, str, Any]]:
    out = []
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                out.append((re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower(), handler))
    return out


def _needs_token(app, handler) -> bool:
    deps = handler.resolve_dependencies()
    return any(getattr(p, "dependency", None) is api_user for p in deps.values())


def _strings_have_limits(doc: dict, schema: dict, where: str, seen: set, outer: dict | None = None) -> None:
    """Every string of ``schema`` has a maximum length (given beside a ``oneOf`` it holds for its options)."""
    schema = _resolve(doc, schema)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        _strings_have_limits(doc, option, where, seen, outer=schema)
    if schema.get("type") == "string" and "enum" not in schema and schema.get("format") != "binary":
        assert "maxLength" in schema or "maxLength" in (outer or {}), f"{where}: a string without maxLength"
    if schema.get("type") == "array":
        _strings_have_limits(doc, (outer or {}).get("items") or schema["items"], where + "[]", seen)
    for key, sub in schema.get("properties", {}).items():
        if (where, key) not in seen:
            seen.add((where, key))
            _strings_have_limits(doc, sub, f"{where}.{key}", seen)


async def test_every_api_route_has_its_request_response_and_security(client, app):
    doc = await _doc(client)
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "motcua token" in scheme["description"], "the schema says how to get a token"
    assert "security" not in doc, "no global requirement: each operation says whether it needs a token"
    routes = _api_routes(app)
    assert len(routes) >= 12, routes  # never vacuous
    with_body = 0
    for path, method, handler in routes:
        op = doc["paths"][path][method]
        where = f"{method.upper()} {path}"
        # security: the bearer scheme exactly where the handler asks for the token's user
        if _needs_token(app, handler):
            assert op.get("security") == [{"bearer": []}], where
            assert "401" in op["responses"], where
        else:
            assert not op.get("security"), where
        # request: a typed body for every handler that reads one
        if "data" in handler.parsed_fn_signature.parameters:
            with_body += 1
            content = op["requestBody"]["content"]
            ((media, spec),) = content.items()
            schema = _resolve(doc, spec["schema"])
            assert schema.get("properties"), (where, schema)
            assert schema.get("required"), (where, "a body with nothing required says nothing")
            _strings_have_limits(doc, spec["schema"], where, set())
        else:
            assert "requestBody" not in op, where
        # response: the success status with a schema; every error as problem+json
        ok = [code for code in op["responses"] if code.startswith("2")]
        assert len(ok) == 1, (where, ok)
        ((media, spec),) = op["responses"][ok[0]]["content"].items()
        assert spec["schema"] and spec["schema"] != {}, where
        if media == "application/json":
            target = _resolve(doc, spec["schema"])
            target = _resolve(doc, target.get("items", target))
            assert target.get("properties"), (where, "a response without declared fields")
        for code, response in op["responses"].items():
            if code.startswith("4"):
                assert list(response["content"]) == ["application/problem+json"], (where, code)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }, (where, code)
    assert with_body >= 5


# --- a client written from the document alone --------------------------------------------------------------


def _example(doc: dict, schema: dict, known: dict[str, Any]) -> Any:
    """A value for ``schema``: what the client learnt from earlier answers (``known``, by property
    name), else the schema's default, first enum value or example; objects get their required keys."""
    schema = _resolve(doc, schema)
    if "oneOf" in schema:
        schema = _resolve(doc, next(s for s in schema["oneOf"] if s.get("type") != "null"))
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            key: known[key] if key in known else _example(doc, sub, known)
            for key, sub in schema["properties"].items()
            if key in schema.get("required", ()) or key in known
        }
    if kind == "integer":
        return 1
    if kind == "string":
        return "Nội dung thử"[: schema.get("maxLength", 100)]
    raise AssertionError(f"no example for {schema}")


async def test_a_client_from_the_schema_alone_creates_and_submits_a_dossier(client, world):
    doc = await _doc(client)
    paths = doc["paths"]
    headers = bearer(world["tok"]["citizen"])

    def response_schema(path: str, method: str) -> dict:
        op = paths[path][method]
        ok = next(code for code in op["responses"] if code.startswith("2"))
        return op["responses"][ok]["content"]["application/json"]["schema"]

    # find the procedure, then its agencies and form, through the public catalogue operations
    r = await client.get("/api/v1/procedures", params={"q": PROC})
    assert r.status_code == 200 and not check(doc, response_schema("/api/v1/procedures", "get"), r.json())
    code = next(p["code"] for p in r.json() if p["code"] == PROC)
    r = await client.get(f"/api/v1/procedures/{code}")
    procedure = r.json()
    assert not check(doc, response_schema("/api/v1/procedures/{code}", "get"), procedure)
    answers = {
        f["name"]: (f["choices"][0]["value"] if f["choices"] else "Đề nghị cấp giấy xác nhận")
        for page in procedure["form"]
        for f in page["fields"]
        if f["required"] or f["name"]
    }

    # the create operation: its body built from its schema, checked against it, posted
    create = paths["/api/v1/dossiers"]["post"]
    assert create["security"] == [{"bearer": []}]
    body_schema = create["requestBody"]["content"]["application/json"]["schema"]
    body = _example(
        doc,
        body_schema,
        {"procedure_code": code, "agency_code": procedure["agencies"][0]["code"], "data": answers},
    )
    assert set(body) >= {"procedure_code", "agency_code"} and not check(doc, body_schema, body)
    r = await client.post("/api/v1/dossiers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    dossier = r.json()
    assert not check(doc, response_schema("/api/v1/dossiers", "post"), dossier)
    assert dossier["state"] == "draft" and dossier["procedure_code"] == PROC

    # submit: the version the schema asks for comes from the dossier just read
    submit = paths["/api/v1/dossiers/{code}/submit"]["post"]
    schema = submit["requestBody"]["content"]["application/json"]["schema"]
    body = _example(doc, schema, {"version": dossier["version"]})
    assert body == {"version": dossier["version"]} and not check(doc, schema, body)
    r = await client.post(f"/api/v1/dossiers/{dossier['id']}/submit", json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "submitted" and not check(
        doc, response_schema("/api/v1/dossiers/{code}/submit", "post"), r.json()
    )

    # every other read answers as its schema says
    ref, key = r.json()["code"], r.json()["lookup_key"]
    for path in (
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/events",
        "/api/v1/dossiers/{code}/attachments",
    ):
        r = await client.get(path.replace("{code}", ref), headers=headers)
        assert r.status_code == 200 and not check(doc, response_schema(path, "get"), r.json()), (path, r.text)
    r = await client.get(f"/api/v1/status/{ref}", params={"k": key})
    assert r.status_code == 200 and not check(doc, response_schema("/api/v1/status/{code}", "get"), r.json())
    # the error the schema promises for a bad body is what comes
    r = await client.post("/api/v1/dossiers", json={}, headers=headers)
    assert r.status_code == 422 and not check(
        doc,
        paths["/api/v1/dossiers"]["post"]["responses"]["422"]["content"]["application/problem+json"][
            "schema"
        ],
        r.json(),
    )


# --- refused bodies: Vietnamese, at the field, never a 500 ----------------------------------------------------


def _errors(r) -> dict:
    assert r.status_code == 422, r.text[:400]
    assert r.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_bodies_the_schema_refuses_get_every_field_in_vietnamese(client, world):
    w = world
    h = bearer(w["tok"]["receiver"])
    ward = w["tree"]["ward"]["code"]
    # several fields wrong at once, nested ones by their dotted name
    r = await client.post(
        "/api/v1/dossiers",
        headers=h,
        json={
            "agency_code": ward,
            "applicant": {"name": "A" * 151, "id_number": 79203001234, "sex": "x"},
            "channel": "fax",
            "data": ["not", "answers"],
        },
    )
    errors = _errors(r)
    assert errors == {
        "procedure_code": "Thiếu mã thủ tục.",
        "applicant.name": "Họ và tên người nộp hồ sơ chỉ được dài tối đa 150 ký tự (hiện có 151 ký tự).",
        "applicant.id_number": "Số định danh cá nhân (CCCD) phải là một đoạn văn bản.",
        "applicant.sex": "Giới tính phải là một trong các giá trị: “male”, “female”.",
        "channel": "Kênh nộp phải là một trong các giá trị: “truc_tuyen”, “truc_tiep”, “buu_chinh”.",
        "data": "Nội dung tờ khai phải là một đối tượng JSON.",
    }, errors
    # line breaks in a one-line field; a control character in a note
    r = await client.post("/api/v1/dossiers", headers=h, json={"procedure_code": PROC, "agency_code": "a\nb"})
    assert _errors(r) == {"agency_code": "Mã cơ quan tiếp nhận chỉ gồm một dòng, không xuống dòng."}
    r = await client.post(
        "/api/v1/dossiers/1/submit", headers=h, json={"version": "một", "note": "x\x1b[31m"}
    )
    errors = _errors(r)
    assert errors["version"] == "Phiên bản hồ sơ phải là một số nguyên."
    assert "ký tự điều khiển" in errors["note"]
    # not an object at all; no body
    for payload in (["a"], "chuỗi", 5, None):
        r = await client.post("/api/v1/dossiers/1/submit", headers=h, json=payload)
        assert _errors(r) == {None: "Nội dung yêu cầu phải là một đối tượng JSON."}, payload
    # action keys: a list too long, a receiver's relation outside the choices, a nested object
    r = await client.post(
        "/api/v1/dossiers/1/actions/request_supplement",
        headers=h,
        json={
            "version": 1,
            "items": ["x"] * 51,
            "receiver": {"relation": "friend", "name": 5},
            "reason_code": None,
        },
    )
    errors = _errors(r)
    assert errors["items"] == "Danh sách giấy tờ cần bổ sung: chỉ liệt kê tối đa 50 mục."
    assert errors["receiver.relation"].startswith(
        "Quan hệ của người nhận phải là một trong các giá trị: “holder”"
    )
    assert errors["receiver.name"] == "Họ và tên người nhận kết quả phải là một đoạn văn bản."
    r = await client.post(
        "/api/v1/dossiers/1/actions/request_supplement",
        headers=h,
        json={"version": 1, "items": ["Bản sao sổ hộ khẩu", "x" * 501, 7]},
    )
    messages = [e["message"] for e in r.json()["errors"] if e["field"] == "items"]
    assert messages == [
        "Mỗi giấy tờ cần bổ sung chỉ được dài tối đa 500 ký tự (hiện có 501 ký tự).",
        "Mỗi giấy tờ cần bổ sung phải là một đoạn văn bản.",
    ], r.text
    # a file upload: without its file; a slot with a control character; not sent as multipart at all
    r = await client.post("/api/v1/dossiers/1/attachments", headers=h, files={"document_code": (None, "x")})
    assert _errors(r) == {"file": "Thiếu tệp."}
    r = await client.post(
        "/api/v1/dossiers/1/attachments",
        headers=h,
        data={"document_code": "x\x00"},
        files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert "ký tự điều khiển" in _errors(r)["document_code"]
    r = await client.post("/api/v1/dossiers/1/attachments", headers=h, data={"document_code": "x"})
    assert (
        r.status_code == 400
        and "multipart/form-data" in r.json()["detail"]
        and "Hãy gửi" in r.json()["detail"]
    )


async def test_the_english_of_a_refusal_stays_out_of_the_answer(client, world):
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(world["tok"]["receiver"]),
        json={"procedure_code": 5, "agency_code": "x"},
    )
    assert "Expected" not in r.text and "Validation failed" not in r.text
    assert _errors(r) == {"procedure_code": "Mã thủ tục phải là một đoạn văn bản."}


# --- the response types say everything the views give ---------------------------------------------------------


def _names(struct: type[msgspec.Struct]) -> set[str]:
    return {f.encode_name for f in msgspec.structs.fields(struct)}


async def test_response_types_cover_every_key_of_the_views(world):
    from core.dossiers import attachments, service
    from core.dossiers.clockscan import ScanSummary
    from core.json_api.dossiers import dossier_json
    from tests.fixtures.engine_route import actor

    a = await actor(world["users"]["citizen"])
    d = await service.create(
        PROC,
        world["tree"]["ward"]["id"],
        actor=a,
        applicant={"name": "Lê Văn Tám"},
        data={"subject": "Xin cấp giấy"},
    )
    d = await service.submit(d.id, actor=a, version=d.version)
    receiver = await actor(world["users"]["receiver"])
    d = await service.receive(d.id, actor=receiver, version=d.version)
    assert set(dossier_json(d, a)) == _names(bodies.DossierOut)
    assert {f for f in d.steps[0].as_dict()} == _names(bodies.StepOut)
    assert set(d.public_dict()) == _names(bodies.PublicStatusOut)
    assert set(d.public_dict()["steps"][0]) == _names(bodies.PublicStepOut)
    assert set((await service.events(d.id))[0].as_dict()) == _names(bodies.EventOut)
    assert set(ScanSummary().as_dict()) == _names(bodies.ClockScanOut)
    assert set(attachments._public({k: 1 for k in _names(bodies.AttachmentOut)})) == _names(
        bodies.AttachmentOut
    )
