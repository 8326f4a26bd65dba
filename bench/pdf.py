"""Suite 3 — PDF render time per form, off the event loop (Jinja in a thread, layout in a worker process).

The engine makes one document of each kind (forms 01–06, a result certificate, a fee receipt; form 07,
the register, is printed for the ward's month). Each is rendered through
``core.documents.service.render_document`` (``render_pdf``: Jinja in a thread, then WeasyPrint in
the PDF process pool, within its time budget) ``repeat`` times after a first, cold render. Figures:

* per document: median warm time, as a ratio to the receipt's (form 01, the baseline of this run);
* how often the event loop wakes (a 5 ms timer) while documents render, as a ratio to how often it
  wakes when idle, measured just before: well above 0 shows the rendering happened off the loop
  (pages kept being served meanwhile; the template step still shares the GIL with the loop, and
  the layout process competes for the same cores, so it is below 1); 0 would mean the loop was blocked.
  The longest stall is beside it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import world

__all__ = ("run",)


def _step(d, step_id: str):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def _make_documents(w: dict[str, Any]) -> None:
    """One dossier per path through the lifecycle, so every form is queued by the engine."""
    from core.documents import service as documents
    from core.dossiers import service
    from core.fees import service as fees

    ward, receiver = w["receiving"][0]
    a = w["as"]
    d = await world.draft(ward, receiver, 1)
    d = await service.receive(d.id, actor=receiver, version=d.version)  # form01
    d = await service.request_supplement(
        d.id,
        _step(d, "check").id,
        actor=a["ward_specialist"],
        version=d.version,
        items=["Bản sao giấy chứng nhận quyền sử dụng đất", "Sơ đồ thửa đất có xác nhận"],
        reason="Hồ sơ còn thiếu giấy tờ",
    )
    d = await service.resubmit(d.id, actor=receiver, version=d.version)
    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        d = await service.complete_step(d.id, _step(d, sid).id, actor=a[who], version=d.version)
    d = await service.apologise(
        d.id,
        actor=a["ward_leader"],
        version=d.version,
        new_due=(d.appointment_at + timedelta(hours=1)).isoformat(),
        reason="Chờ ý kiến của cơ quan thuế",
    )  # form04
    d = await service.approve(
        d.id, _step(d, "decide").id, actor=a["ward_leader"], version=d.version
    )  # result
    await documents.request_control_sheet(d.id)  # form06
    await fees.record_payment(d.id, actor=receiver, method="cash", amount=50_000)  # fee receipt
    d2 = await world.draft(ward, receiver, 2)
    await service.refuse_intake(
        d2.id, actor=receiver, version=d2.version, reasons="Thủ tục không thuộc thẩm quyền tiếp nhận của xã"
    )  # form03
    d3 = await world.draft(ward, receiver, 3)
    d3 = await service.receive(d3.id, actor=receiver, version=d3.version)
    await service.stop(
        d3.id, actor=receiver, version=d3.version, reason="Người nộp xin dừng giải quyết"
    )  # form05


class LagProbe:
    """Wakes every ``tick`` seconds: counts its wake-ups (the loop's responsiveness, ``rate``) and
    records how late it woke at worst (the loop's longest stall)."""

    def __init__(self, tick: float = 0.005):
        self.tick = tick
        self.worst = 0.0
        self.ticks = 0
        self._task: asyncio.Task | None = None
        self._start = self._end = 0.0

    async def _loop(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.tick)
            self.ticks += 1
            self.worst = max(self.worst, time.perf_counter() - start - self.tick)

    @property
    def rate(self) -> float:
        return self.ticks / max(self._end - self._start, 1e-9)

    def __enter__(self):
        self._start = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def __exit__(self, *exc):
        assert self._task is not None
        self._end = time.perf_counter()
        self._task.cancel()


async def _render(doc_id: int) -> float:
    from core.documents import service as documents
    from core.documents.tables import GeneratedDocument

    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == doc_id
    )
    start = time.perf_counter()
    await documents.render_document(doc_id)
    return time.perf_counter() - start


async def _register_pdf(w: dict[str, Any]) -> float:
    """Form 07 for the ward's month, laid out as ``GET /so-theo-doi.pdf`` does (off the loop)."""
    from core.documents.context import province_place
    from core.documents.legal_forms import get_form
    from core.documents.register import parse_period, register_rows
    from core.documents.render import render_pdf
    from core.text.templating import VN_TZ

    today = datetime.now(VN_TZ).date()
    period = parse_period(f"{today.replace(day=1):%d/%m/%Y}", f"{today:%d/%m/%Y}")
    ward = w["tree"]["ward"]
    start = time.perf_counter()
    rows = await register_rows(ward["id"], period, limit=20_000)
    form = get_form("form07")
    issued = datetime.now(UTC).replace(microsecond=0)
    ctx = {
        "form": {"id": form.id, "number": form.number, "title": form.title},
        "number": "",
        "agency": {"name": ward["name"], "parent_name": w["tree"]["province"]["name"]},
        "place": province_place([{"name": w["tree"]["province"]["name"], "level": "province"}]),
        "issued_at": issued.isoformat(),
        "rows": rows,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
    }
    await render_pdf(form.template, ctx, title=form.title, created=issued, key=f"bench:form07:{ward['code']}")
    return time.perf_counter() - start


async def run(repeat: int = 5) -> list[dict]:
    from core.documents.tables import GeneratedDocument

    w = await world.build()
    await _make_documents(w)
    docs = await GeneratedDocument.select(GeneratedDocument.id, GeneratedDocument.kind).order_by(
        GeneratedDocument.id
    )
    kinds: dict[str, int] = {}
    for d in docs:
        if not d["kind"].startswith("result:"):  # the test route's certificates have no print template
            kinds.setdefault(d["kind"], d["id"])
    timings: dict[str, list[float]] = {}
    cold: dict[str, float] = {}
    with LagProbe() as idle:  # the baseline: how often the loop wakes when nothing renders
        await asyncio.sleep(2)
    with LagProbe() as cold_probe:
        for kind, doc_id in kinds.items():
            cold[kind] = await _render(doc_id)
        cold["form07"] = await _register_pdf(w)
    with LagProbe() as probe:
        for _ in range(repeat):
            for kind, doc_id in kinds.items():
                timings.setdefault(kind, []).append(await _render(doc_id))
            timings.setdefault("form07", []).append(await _register_pdf(w))
    medians = {k: statistics.median(v) for k, v in timings.items()}
    base = medians.get("form01")
    if base is None:
        raise RuntimeError("the engine queued no receipt (form01): nothing to compare with")
    rows = []
    for kind in sorted(medians):
        rows.append(
            {
                "suite": "pdf",
                "what": kind,
                "baseline": f"form01 {base * 1000:.0f} ms",
                "measured": f"{medians[kind] * 1000:.0f} ms (cold {cold[kind] * 1000:.0f} ms)",
                "ratio": medians[kind] / base,
                "note": f"median of {repeat}, worker process",
            }
        )
    rows.append(
        {
            "suite": "pdf",
            "what": "event loop during warm renders",
            "baseline": f"{idle.rate:.0f} wake-ups/s idle",
            "measured": f"{probe.rate:.0f} wake-ups/s rendering",
            "ratio": probe.rate / idle.rate,
            "note": (
                "> 0: off the loop (0 = blocked; the GIL shares the CPU); "
                f"longest stall {probe.worst * 1000:.0f} ms"
            ),
        }
    )
    rows.append(
        {
            "suite": "pdf",
            "what": "event loop during first renders",
            "baseline": f"{idle.rate:.0f} wake-ups/s idle",
            "measured": f"{cold_probe.rate:.0f} wake-ups/s rendering",
            "ratio": cold_probe.rate / idle.rate,
            "note": f"with WeasyPrint's import and fonts; longest stall {cold_probe.worst * 1000:.0f} ms",
        }
    )
    return rows
