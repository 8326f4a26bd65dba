"""Request rate limits on the public doors a stranger can hammer (issue 12): sign-in, registration, the
status look-up (page and API) and the verification page, per client address, counted in Redis when
``REDIS_URL`` is set and in the database otherwise (``core.identity.throttle``), so that every app
process shares them. Over the limit: a 429 with ``Retry-After`` and a Vietnamese page (or problem+json)
saying when to try again.

The suite runs with generous limits (``tests/conftest.py``); these tests set small ones.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from core.identity import throttle
from core.identity.throttle import DEFAULT_RATE_LIMITS, RateLimit, parse_rate_limits
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]
SMALL = "signin=3/60,register=2/600,lookup=4/60,verify=3/60"
CODE = "000.00.31.H39-261203-0001"


@pytest.fixture
def small_limits(monkeypatch):
    limits = parse_rate_limits(SMALL)
    monkeypatch.setattr(throttle, "rate_limits", lambda: limits)
    return limits


def _assert_refused(r, period: int) -> None:
    assert r.status_code == 429, (r.status_code, r.text[:300])
    wait = int(r.headers["retry-after"])
    assert 1 <= wait <= period
    if "json" in r.headers["content-type"]:
        body = r.json()
        assert body["status"] == 429 and body["retry_after"] == wait
        text = body["detail"]
    else:
        assert r.headers["content-type"].startswith("text/html")
        text = r.text
        assert "Quá nhiều yêu cầu" in text
    assert "Vui lòng thử lại sau" in text and "phút nữa" in text


async def test_defaults_and_configuration():
    """Without ``MOTCUA_RATE_LIMITS`` the defaults hold; the variable overrides any subset; a malformed
    value stops the process with a message naming the part."""
    assert parse_rate_limits("") == DEFAULT_RATE_LIMITS
    assert set(DEFAULT_RATE_LIMITS) == {"signin", "register", "lookup", "verify", "complaint"}
    got = parse_rate_limits(" lookup=100/30 , verify=5/10")
    assert got["lookup"] == RateLimit(100, 30) and got["verify"] == RateLimit(5, 10)
    assert got["signin"] == DEFAULT_RATE_LIMITS["signin"]
    for bad in ("lookup=0/60", "lookup=5", "search=5/60", "lookup=-1/60", "lookup=5/0", "lookup=a/b"):
        with pytest.raises(ValueError, match="MOTCUA_RATE_LIMITS"):
            parse_rate_limits(bad)


async def test_sign_in_is_limited_per_address(db, client, small_limits):
    await client.get("/dang-nhap")
    token = csrf_from(client)
    for i in range(3):
        r = await client.post(
            "/dang-nhap", data={"username": f"ai-do-{i}", "password": "sai", "_csrf_token": token}
        )
        assert r.status_code == 422, r.status_code  # refused credentials, counted, not yet limited
    r = await client.post("/dang-nhap", data={"username": "ai-do", "password": "sai", "_csrf_token": token})
    _assert_refused(r, 60)
    # the form itself still opens: only attempts are counted
    assert (await client.get("/dang-nhap")).status_code == 200


async def test_registration_is_limited_per_address(db, client, small_limits):
    await client.get("/dang-ky")
    token = csrf_from(client)
    for _ in range(2):
        r = await client.post("/dang-ky", data={"full_name": "", "_csrf_token": token})
        assert r.status_code == 422
    _assert_refused(await client.post("/dang-ky", data={"full_name": "", "_csrf_token": token}), 600)


async def test_status_look_up_page_and_api_share_one_limit(db, client, small_limits):
    """The look-up form opened empty costs nothing; a look-up by the form, by the status address or
    by the JSON API counts towards one limit; refused look-ups answer the same 429 on each."""
    for _ in range(5):
        assert (await client.get("/tra-cuu")).status_code == 200
    assert (await client.get("/tra-cuu", params={"code": CODE, "k": "ABCD-EFGH"})).status_code in (200, 422)
    assert (await client.get(f"/tra-cuu/{CODE}")).status_code == 404
    assert (await client.get(f"/api/v1/status/{CODE}")).status_code == 404
    assert (await client.get(f"/tra-cuu/{CODE}", params={"k": "ABCD-EFGH"})).status_code == 404
    _assert_refused(await client.get(f"/tra-cuu/{CODE}"), 60)
    _assert_refused(await client.get("/tra-cuu", params={"code": CODE}), 60)
    _assert_refused(await client.get(f"/api/v1/status/{CODE}"), 60)


async def test_verification_page_is_limited(db, client, small_limits):
    for _ in range(3):
        assert (await client.get("/xac-minh/khong-co-ma-nay-0000000")).status_code == 404
    _assert_refused(await client.get("/xac-minh/khong-co-ma-nay-0000000"), 60)
    r = await client.post(
        "/xac-minh/khong-co-ma-nay-0000000",
        files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")},
        data={"_csrf_token": csrf_from(client)},
    )
    _assert_refused(r, 60)


async def test_limits_are_per_address_and_end(db, monkeypatch):
    """Another address is not blocked by the first one's look-ups; after the period, the address may
    look up again."""
    limits = {**DEFAULT_RATE_LIMITS, "lookup": RateLimit(2, 1)}
    monkeypatch.setattr(throttle, "rate_limits", lambda: limits)
    await throttle.limit("lookup", "10.0.0.1")
    await throttle.limit("lookup", "10.0.0.1")
    with pytest.raises(throttle.TooManyRequests) as refused:
        await throttle.limit("lookup", "10.0.0.1")
    assert refused.value.retry_after == 1
    await throttle.limit("lookup", "10.0.0.2")
    await asyncio.sleep(1.1)
    await throttle.limit("lookup", "10.0.0.1")


_OTHER_PROCESS = """
import asyncio, os, sys
from core.identity import throttle
from core.identity.throttle import RateLimit
throttle.rate_limits = lambda: {**throttle.DEFAULT_RATE_LIMITS, "verify": RateLimit(3, 600)}
async def go():
    for _ in range(3):
        await throttle.limit("verify", "203.0.113.7")
asyncio.run(go())
"""


async def test_the_count_is_shared_by_app_processes(db, client, small_limits):
    """Requests counted by another process (as another app worker would) count here: the store is
    Redis or the database, never process memory."""
    import os

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _OTHER_PROCESS],
        cwd=ROOT,
        env={**os.environ, "MOTCUA_DB_POOL": "0"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # This client's address is "testclient"; the other process counted 203.0.113.7 up to its limit.
    with pytest.raises(throttle.TooManyRequests):
        await throttle.limit("verify", "203.0.113.7")
    assert (await client.get("/xac-minh/khong-co-ma-nay-0000000")).status_code == 404
