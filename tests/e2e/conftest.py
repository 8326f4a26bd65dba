"""Browser journeys: a real ``motcua serve`` subprocess on a free port with the demo province loaded,
driven by Debian's chromium through pytest-playwright. Screenshots go to test-results/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("MOTCUA_E2E_SHOTS") or ROOT / "test-results")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
        "viewport": {"width": 1280, "height": 900},
    }


# A loaded machine (password hashing, PDF rendering) can take more than the default 5 s.
expect.set_options(timeout=20_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _e2e_env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp), "MOTCUA_DB_POOL": "1"}
    env.setdefault("MOTCUA_PAYMENT_SANDBOX_SECRET", "e2e-sandbox-secret")  # the demo pays by the sandbox
    env.setdefault("MOTCUA_PAYMENT_SANDBOX_DELAY", "1")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        # A database of its own: the other tests empty theirs before each test.
        parsed = urlparse(url)
        name = parsed.path.lstrip("/") + "_e2e"
        from tests.conftest import _recreate_postgres_database

        e2e_url = parsed._replace(path=f"/{name}").geturl()
        # In a thread of its own: Playwright's sync API may already run an event loop in this one.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            pool.submit(_recreate_postgres_database, e2e_url).result()
        env["DATABASE_URL"] = e2e_url
    return env


LIVE_ENV: dict[str, str] = {}
"""The environment of the live server (data folder, database): a journey that needs a second server on the
same data (another configuration) starts it with this."""
_LOOKUP_KEY = """
import asyncio, sys
from core.db.tx import raw
rows = asyncio.run(raw("SELECT lookup_key FROM dossier WHERE code = {}", sys.argv[1]))
print(rows[0]["lookup_key"] if rows else "")
"""


def lookup_key(code: str) -> str:
    """The look-up key printed on the receipt of demo dossier ``code`` (what its applicant holds)."""
    out = subprocess.run(
        [sys.executable, "-c", _LOOKUP_KEY, code],
        cwd=ROOT,
        env=LIVE_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/setup.sh --test as root")
    tmp = tmp_path_factory.mktemp("e2e")
    env = _e2e_env(tmp)
    env["MOTCUA_BASE_URL"] = "http://127.0.0.1"  # replaced below once the port is known
    port = _free_port()
    env["MOTCUA_BASE_URL"] = f"http://127.0.0.1:{port}"
    LIVE_ENV.clear()
    LIVE_ENV.update(env)
    motcua = [sys.executable, "-m", "core.cli"]
    demo = subprocess.run([*motcua, "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if demo.returncode != 0:
        raise RuntimeError(f"motcua demo failed ({demo.returncode}):\n{demo.stderr[-4000:]}")
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - the servers write to it while the tests run
    worker = None
    if redis_url := env.get("REDIS_URL"):
        # With Redis the web process only queues the jobs: a worker of our own runs them (receipts).
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        worker = subprocess.Popen([*motcua, "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
    proc = subprocess.Popen(
        [*motcua, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    for _ in range(1200):  # up to 2 min: on a loaded 2-core machine the app alone takes 20 s to import
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError as exc:
            if proc.poll() is not None:
                raise RuntimeError((tmp / "server.log").read_text()) from exc
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + (tmp / "server.log").read_text())
    yield f"http://127.0.0.1:{port}"
    for p in (proc, worker):
        if p is not None:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:  # reported, not hidden: the log says what held it
                p.kill()
                p.wait()
                print(
                    f"e2e: {p.args} ignored SIGTERM for 30 s; killed. Server log:\n"
                    + (tmp / "server.log").read_text()[-3000:]
                )
    log.close()


DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def screenshots(page, name: str) -> list[Path]:
    """Full-page screenshots of what ``page`` shows now, desktop (1280 wide) then mobile (390 wide),
    under test-results/ as ``<name>-desktop.png`` and ``<name>-mobile.png``; the viewport is put back."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    paths = []
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        path = SHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(before)
    return paths


@pytest.fixture
def shot(page):
    """``shot(name)`` saves desktop and mobile full-page screenshots of ``page`` under test-results/."""

    def take(name: str, of=None) -> list[Path]:
        return screenshots(of or page, name)

    return take


@pytest.fixture(scope="session")
def demo_day(live_server) -> str:
    """``yymmdd`` of the day the demo province was loaded (dossier codes carry it)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%y%m%d")


def login(page, base: str, username: str, password: str | None = None) -> None:
    """Sign in through the login page as a person would, and wait for the signed-in header."""
    from core.demo import DEMO_PASSWORD

    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password or DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".site-header").get_by_role("button", name="Đăng xuất")).to_be_visible()
