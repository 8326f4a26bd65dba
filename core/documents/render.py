"""HTML → PDF for documents: a print-only Jinja environment and WeasyPrint run off the event loop.

* Print templates are found in ``core/templates`` (``documents/…``) and in every plugin's templates
  folder, so a plugin's result template can ``{% extends "documents/base_print.html" %}``.
* Resources are fetched only from ``data:`` URIs and local files under the static folders (fonts,
  stylesheets): a document never reaches the network.
* Output is deterministic: no current time in the PDF (creation date and identifier come from the
  document row), fonts shipped in the repository — re-rendering the same row gives the same bytes.
* Layout runs in a small pool of worker processes (``PDF_PROCESSES``, pebble): a document that takes
  longer than ``PDF_TIME_BUDGET_SECONDS`` has its process killed and fails with ``RenderTimeout``
  (not retried: the same content would take as long again), and the other documents keep rendering
  in the other process meanwhile. The event loop and the GIL of the caller stay free.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib
import multiprocessing
import os
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import anyio.to_thread
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from core.metrics import PDF_RENDER_SECONDS
from core.text.templating import CORE_TEMPLATES, VN_TZ, format_vnd, plugin_template_dirs

__all__ = (
    "STATIC_DIR",
    "print_environment",
    "render_html",
    "html_to_pdf",
    "render_pdf",
    "layout_pdf",
    "warm_up_pool",
    "RenderTimeout",
    "PDF_TIME_BUDGET_SECONDS",
    "PDF_PROCESSES",
    "vn_time",
    "vn_date_line",
    "LocalOnlyFetcher",
)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PDF_TIME_BUDGET_SECONDS = float(os.environ.get("MOTCUA_PDF_TIME_BUDGET", "60"))
"""Most seconds one document may take to render (``MOTCUA_PDF_TIME_BUDGET``). A receipt takes about
0.2 s and a month's register a few seconds; past this the render is killed and the document fails."""
PDF_PROCESSES = max(1, int(os.environ.get("MOTCUA_PDF_PROCESSES", "2")))
"""Worker processes laying out PDFs side by side (``MOTCUA_PDF_PROCESSES``): with two, one slow
document never holds up the others."""
PDF_TASKS_PER_PROCESS = 500
"""A worker process is replaced after this many documents (bounds WeasyPrint's caches)."""
_ALLOWED_ROOTS = (STATIC_DIR.resolve(), CORE_TEMPLATES.resolve())


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ) if value.tzinfo else value
    return None


def vn_time(value: Any) -> str:
    """``14 giờ 05 phút, ngày 23 tháng 11 năm 2026`` (R8: to the minute, Vietnam time)."""
    dt = _as_datetime(value)
    if dt is None:
        return "…… giờ …… phút, ngày …… tháng …… năm ……"
    return f"{dt:%H} giờ {dt:%M} phút, ngày {dt:%d} tháng {dt:%m} năm {dt:%Y}"


def vn_date_line(value: Any, place: str = "") -> str:
    """``Đồng Nai, ngày 23 tháng 11 năm 2026`` (the place-and-date line under the motto)."""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    if isinstance(value, datetime | str):
        value = _as_datetime(value)
    if value is None:
        text = "ngày …… tháng …… năm ……"
    else:
        text = f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"
    return f"{place}, {text}" if place else text.capitalize()


def vn_date(value: Any) -> str:
    """``23/11/2026`` (Vietnam time)."""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    dt = _as_datetime(value)
    return "" if dt is None else f"{dt:%d/%m/%Y}"


def vn_hm_date(value: Any) -> str:
    """``14:05 23/11/2026`` (compact, for tables)."""
    dt = _as_datetime(value)
    return "" if dt is None else f"{dt:%H:%M} {dt:%d/%m/%Y}"


def vn_days(value: Any) -> str:
    """``3 ngày làm việc``; ``0`` → ``trong ngày làm việc``; ``0.5`` → ``0,5 ngày làm việc``."""
    if value is None or value == "":
        return "…… ngày làm việc"
    if float(value) == 0:
        return "trong ngày làm việc"
    return f"{float(value):g}".replace(".", ",") + " ngày làm việc"


@functools.cache
def print_environment() -> Environment:
    """The Jinja environment of print templates (separate from the web pages': no request, no i18n)."""
    loaders = [FileSystemLoader(str(d)) for d in plugin_template_dirs()]
    loaders.append(FileSystemLoader(str(CORE_TEMPLATES)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        vnd=format_vnd,
        vn_time=vn_time,
        vn_date_line=vn_date_line,
        vn_date=vn_date,
        vn_hm=vn_hm_date,
        days=vn_days,
    )
    env.filters["qr"] = _qr_filter
    env.globals.update(static_url=STATIC_DIR.as_uri())
    return env


def _qr_filter(content: str) -> str:
    """``{{ url | qr }}``: the QR code of ``content`` as an SVG data URI ("" for no content)."""
    from core.documents.qr import qr_svg_data_uri

    return qr_svg_data_uri(content) if content else ""


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render a print template to HTML (pure: the context holds everything printed)."""
    return print_environment().get_template(template).render(**context)


def _fetcher_base():
    from weasyprint.urls import URLFetcher

    return URLFetcher


class LocalOnlyFetcher(_fetcher_base()):  # type: ignore[misc]
    """Serves ``data:`` URIs and files under the static and template folders; refuses the rest."""

    def fetch(self, url, headers=None):  # noqa: D102
        from weasyprint.urls import URLFetcherResponse

        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise ValueError(f"Tài liệu in không được tải tài nguyên từ mạng: {url}")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in _ALLOWED_ROOTS) or not path.is_file():
            raise ValueError(f"Tài nguyên không được phép: {url}")
        suffix = path.suffix.lower()
        mime = {
            ".css": "text/css",
            ".ttf": "font/ttf",
            ".woff2": "font/woff2",
            ".png": "image/png",
            ".svg": "image/svg+xml",
        }.get(suffix, "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def html_to_pdf(html: str, *, title: str, created: datetime, key: str) -> bytes:
    """Lay out ``html`` as an A4 PDF; blocking, call it from a worker thread.

    Args:
        html: The rendered print template.
        title: Document title written into the PDF metadata.
        created: The document row's creation time (the only time written into the file).
        key: The document's stable key; the PDF identifier is derived from it.
    """
    from weasyprint import HTML

    doc = HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=LocalOnlyFetcher(fail_on_errors=False)
    ).render()
    stamp = created.astimezone(VN_TZ).replace(microsecond=0).isoformat()
    doc.metadata.title = title
    doc.metadata.created = stamp
    doc.metadata.modified = stamp
    doc.metadata.generator = "motcua"
    identifier = hashlib.sha256(key.encode()).hexdigest()[:32].encode()
    return doc.write_pdf(pdf_identifier=identifier)


class RenderTimeout(Exception):
    """A document took longer than its time budget; its render was stopped."""

    retryable = False
    """The outbox gives up at once (``core.jobs.tasks``): the same content would take as long again."""

    def __init__(self, seconds: float):
        super().__init__(
            f"Tài liệu cần quá {seconds:g} giây để dựng PDF (thường do nội dung quá dài) "
            f"nên đã bị dừng; các tài liệu khác không bị ảnh hưởng."
        )
        self.seconds = seconds


_pool_lock = threading.Lock()
_pool: Any = None


def _warm_up() -> None:
    """Worker start: import WeasyPrint before the first document, so its time counts for nothing."""
    importlib.import_module("weasyprint")


def _process_pool():
    """The process pool of this process (created on first use; replaced if it broke)."""
    global _pool
    with _pool_lock:
        if _pool is None or not _pool.active:
            from pebble import ProcessPool

            # spawn, not fork: the caller runs an event loop and threads that a fork would copy mid-flight
            _pool = ProcessPool(
                max_workers=PDF_PROCESSES,
                max_tasks=PDF_TASKS_PER_PROCESS,
                initializer=_warm_up,
                context=multiprocessing.get_context("spawn"),
            )
        return _pool


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


async def warm_up_pool(timeout: float = 120) -> int:
    """Start the worker processes and wait until every one is ready (WeasyPrint imported), so the
    first documents do not wait for it (a worker's start, 1–3 s). Returns how many are ready."""
    loop_deadline = time.monotonic() + timeout
    pids: set[int] = set()
    while len(pids) < PDF_PROCESSES and time.monotonic() < loop_deadline:
        futures = [_process_pool().schedule(_pid_after, args=(0.3,)) for _ in range(PDF_PROCESSES)]
        pids = set(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))
    return len(pids)


async def layout_pdf(
    html: str, *, title: str, created: datetime, key: str, budget: float | None = None
) -> bytes:
    """``html_to_pdf`` in a worker process, stopped after ``budget`` seconds of work.

    Raises:
        RenderTimeout: the layout ran out of time (its process was killed and replaced).
    """
    from pebble import ProcessExpired

    budget = PDF_TIME_BUDGET_SECONDS if budget is None else budget
    future = _process_pool().schedule(
        html_to_pdf, args=(html,), kwargs={"title": title, "created": created, "key": key}, timeout=budget
    )
    try:
        return await asyncio.wrap_future(future)  # cancelling the caller kills the render too
    except TimeoutError:
        raise RenderTimeout(budget) from None
    except ProcessExpired as exc:
        raise RuntimeError(f"Tiến trình dựng PDF dừng bất thường (mã {exc.exitcode}).") from None


async def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    created: datetime,
    key: str,
    budget: float | None = None,
) -> bytes:
    """Render a print template to PDF, never on the event loop, within ``budget`` seconds
    (``PDF_TIME_BUDGET_SECONDS`` by default).

    The template is rendered in a thread (a long register renders thousands of rows and their QR
    codes), then laid out in a worker process with what is left of the budget.

    Raises:
        RenderTimeout: the document ran out of time.
    """
    budget = PDF_TIME_BUDGET_SECONDS if budget is None else budget
    start = time.monotonic()
    outcome = "error"
    try:
        html = await anyio.to_thread.run_sync(functools.partial(render_html, template, context))
        left = budget - (time.monotonic() - start)
        if left <= 0:
            raise RenderTimeout(budget)
        try:
            pdf = await layout_pdf(html, title=title, created=created, key=key, budget=left)
        except RenderTimeout:
            raise RenderTimeout(budget) from None
        outcome = "ok"
        return pdf
    except RenderTimeout:
        outcome = "timeout"
        raise
    finally:
        PDF_RENDER_SECONDS.labels(outcome).observe(time.monotonic() - start)
