"""``core.api.DemoDriver``: the calls it makes to take a demo dossier to each target state, by whom,
with the plugin's words (the lifecycle service is replaced by a recorder; the real one runs in
``tests/integration/test_demo.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import pytest

from core import demo_driver
from core.api import DemoDriver, DemoWords

WORDS = DemoWords(
    refuse="R",
    stop="S",
    supplement_items=("giấy",),
    supplement_reason="thiếu",
    reject="KO",
    suspend="chờ",
    suspend_code="violation",
    close="quá hạn",
)
AGENCY = SimpleNamespace(id=7, code="000.30.31.H39")
STAFF = {
    (7, "receiver"): "receiver",
    (7, "specialist"): "specialist",
    (7, "approver"): "approver",
    (9, "tax_officer"): "tax",
    (0, "citizen"): "citizen",
}


@dataclass(frozen=True)
class Step:
    id: int
    step_id: str
    role: str
    agency: SimpleNamespace
    status: str = "waiting"
    outcomes: tuple[str, ...] = ("done",)
    stage: int = 1


@dataclass(frozen=True)
class View:
    id: int = 1
    version: int = 1
    steps: tuple[Step, ...] = ()
    data: dict = field(default_factory=dict)


ROUTE = (
    Step(1, "verify", "specialist", AGENCY, "active"),
    Step(2, "tax_notice", "tax_officer", SimpleNamespace(id=9, code="T"), stage=2),
    Step(3, "sign", "approver", AGENCY, outcomes=("approve", "reject"), stage=3),
)


class Recorder:
    """Stands in for ``core.dossiers.service``: records each call and moves the route along."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.due = 0

    def _next(self, view: View) -> View:
        steps = list(view.steps)
        i = next(i for i, s in enumerate(steps) if s.status == "active")
        steps[i] = replace(steps[i], status="done")
        if i + 1 < len(steps):
            steps[i + 1] = replace(steps[i + 1], status="active")
        return replace(view, version=view.version + 1, steps=tuple(steps))

    async def create(self, procedure, agency_id, *, actor, applicant, data, channel):
        self.calls.append(("create", procedure, agency_id, actor, channel))
        return View()

    async def submit(self, dossier_id, *, actor, version):
        self.calls.append(("submit", actor))

    async def refuse_intake(self, dossier_id, *, actor, version, reasons):
        self.calls.append(("refuse_intake", actor, reasons))

    async def receive(self, dossier_id, *, actor, version):
        self.calls.append(("receive", actor))
        return View(version=version + 1, steps=ROUTE)

    async def stop(self, dossier_id, *, actor, version, reason):
        self.calls.append(("stop", actor, reason))

    async def request_supplement(self, dossier_id, step_id, *, actor, version, items, reason):
        self.calls.append(("request_supplement", step_id, actor, tuple(items), reason))
        return View(version=version + 1, steps=ROUTE)

    async def close_unanswered(self, dossier_id, *, version, note):
        self.calls.append(("close_unanswered", note))

    async def suspend(self, dossier_id, step_id, *, actor, version, reason_code, reason):
        self.calls.append(("suspend", step_id, actor, reason_code, reason))

    def _acting(name):  # noqa: N805
        async def act(self, dossier_id, step_id, *, actor, version, **kw):
            self.calls.append((name, step_id, actor, *kw.values()))
            return self._next(self._view)

        return act

    complete_step = _acting("complete_step")
    approve = _acting("approve")
    reject = _acting("reject")

    async def act(self, dossier_id, action, *, actor, version, step_id, **inputs):
        self.calls.append(("act", action, step_id, actor, inputs))
        return self._next(self._view)

    async def mark_result_ready(self, dossier_id, *, actor, version):
        self.calls.append(("mark_result_ready", actor))
        return self._view

    async def get(self, dossier_id):
        return self._view

    async def return_result(self, dossier_id, *, actor, version, channel, receiver, originals_received=False):
        assert originals_received, "the demo clerk collects the originals owed (R30) at the hand-over"
        self.calls.append(("return_result", actor, receiver["id_number"]))


@pytest.fixture
def service(monkeypatch):
    rec = Recorder()
    rec._view = View(steps=ROUTE)

    def track(method):
        async def wrapped(*args, **kwargs):
            out = await method(*args, **kwargs)
            if isinstance(out, View):
                rec._view = out
            return out

        return wrapped

    fake = SimpleNamespace(
        **{
            n: track(getattr(rec, n))
            for n in (
                "create",
                "submit",
                "refuse_intake",
                "receive",
                "stop",
                "request_supplement",
                "close_unanswered",
                "suspend",
                "complete_step",
                "approve",
                "reject",
                "act",
                "mark_result_ready",
                "get",
                "return_result",
            )
        }
    )
    monkeypatch.setattr(demo_driver, "dossiers", fake)

    async def balance_due(dossier_id):
        return rec.due

    async def record_payment(dossier_id, *, actor, method, amount):
        rec.calls.append(("record_payment", actor, amount))

    monkeypatch.setattr(demo_driver, "balance_due", balance_due)
    monkeypatch.setattr(demo_driver, "record_payment", record_payment)
    return rec


def _driver(**kw):
    return DemoDriver(STAFF, WORDS, name="test", **kw)


async def _drive(service, target, **kw):
    driver = _driver(**{k: v for k, v in kw.items() if k in ("step_inputs", "pauses")})
    await driver.drive(
        "1.000001",
        AGENCY,
        {"name": "A", "id_number": "075"},
        {},
        target,
        **{k: v for k, v in kw.items() if k == "first_step"},
    )
    return [c[0] if c[0] in ("create",) else c for c in service.calls]


async def test_intake_targets(service):
    assert await _drive(service, "draft") == ["create"]
    assert service.calls[0] == ("create", "1.000001", 7, "receiver", "truc_tiep")
    service.calls.clear()
    assert await _drive(service, "submitted") == ["create", ("submit", "citizen")]
    assert service.calls[0][3:] == ("citizen", "truc_tuyen")
    service.calls.clear()
    assert await _drive(service, "refused") == ["create", ("refuse_intake", "receiver", "R")]
    service.calls.clear()
    assert await _drive(service, "received") == ["create", ("receive", "receiver")]
    service.calls.clear()
    assert await _drive(service, "stopped") == ["create", ("receive", "receiver"), ("stop", "receiver", "S")]


async def test_supplement_closed_and_suspended_act_on_the_first_step(service):
    assert (await _drive(service, "closed"))[2:] == [
        ("request_supplement", 1, "specialist", ("giấy",), "thiếu"),
        ("close_unanswered", "quá hạn"),
    ]
    service.calls.clear()
    assert (await _drive(service, "suspended"))[2:] == [("suspend", 1, "specialist", "violation", "chờ")]


async def test_through_the_route_with_inputs_approval_payment_and_return(service):
    service.due = 25_000
    calls = await _drive(
        service,
        "returned",
        step_inputs=lambda view, step: {"land_value": 1} if step.step_id == "tax_notice" else None,
    )
    assert calls[2:] == [
        ("complete_step", 1, "specialist"),
        ("act", "complete_step", 2, "tax", {"land_value": 1}),
        ("approve", 3, "approver"),
        ("mark_result_ready", "receiver"),
        ("record_payment", "receiver", 25_000),
        ("return_result", "receiver", "075"),
    ]


async def test_approved_ready_and_rejected_stop_where_asked(service):
    assert (await _drive(service, "approved"))[-1] == ("approve", 3, "approver")
    service.calls.clear()
    assert (await _drive(service, "ready"))[-1] == ("mark_result_ready", "receiver")
    service.calls.clear()
    assert (await _drive(service, "rejected"))[-1] == ("reject", 3, "approver", "KO")


async def test_a_pause_of_the_plugin_stops_the_route(service):
    calls = await _drive(service, "at_tax", pauses={"at_tax": lambda view, done: done >= 1})
    assert calls[2:] == [("complete_step", 1, "specialist")]


async def test_a_missing_officer_is_logged_not_raised(service, caplog):
    driver = DemoDriver({(7, "receiver"): "receiver"}, WORDS, name="test")
    await driver.drive("1.000001", AGENCY, {"name": "A", "id_number": "075"}, {}, "approved")
    assert (
        "test demo: 1.000001 dossier at 000.30.31.H39 stopped before 'approved': no specialist at"
        in caplog.text
    )


async def test_an_unknown_target_is_a_programming_error(service):
    with pytest.raises(ValueError, match="unknown demo target 'at_tax'"):
        await _driver().drive("1.000001", AGENCY, {}, {}, "at_tax")
