"""The province every benchmark starts from: the test route plugin (3-agency route, ``9.999001``),
the standard agency tree and its staff, and ``extra`` communes each with a receiver, a specialist and
an approver, the procedure enabled. Built through the same services as the application's."""

from __future__ import annotations

from typing import Any

__all__ = ("build", "draft", "add_procedures", "PROC")

from tests.fixtures.engine_route import PROC  # noqa: E402


def _register(obj: Any, name: str) -> Any:
    from core.catalogue import registry
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    if pm.get_plugin(name) is None:
        pm.register(obj, name=name)
        registry.reset()
    return pm.get_plugin(name)


def _filler_class():
    from core.api import DomainInfo, L, hookimpl

    class CatalogueFiller:
        """``n`` more procedures like ``PROC`` (codes ``9.998000`` …): a province's catalogue has
        about 2 000, this repository's plugins declare a few dozen."""

        def __init__(self, n: int):
            self.n = n

        @hookimpl
        def domain_info(self):
            return DomainInfo(code="t_bench", name=L("Thủ tục thử tải", "Load-test procedures"))

        @hookimpl
        def register_procedures(self):
            import dataclasses

            from tests.fixtures.engine_route import EngineTestPlugin

            base = next(p for p in EngineTestPlugin().register_procedures() if p.code == PROC)
            return [
                dataclasses.replace(
                    base,
                    code=f"9.998{i:03d}",
                    domain="t_bench",
                    name=type(base.name)(f"{base.name.vi} số {i}", f"{base.name.en} no. {i}"),
                )
                for i in range(self.n)
            ]

    return CatalogueFiller


def register_plugins(filler: int = 0) -> None:
    """Register the test route's plugin (``PROC``) and, when ``filler``, that many more procedures:
    the benchmark's app server calls this before it builds the app (see ``bench.server``)."""
    from tests.fixtures.engine_route import EngineTestPlugin

    _register(EngineTestPlugin(), "t_engine")
    if filler:
        add_procedures(filler)


def add_procedures(n: int) -> None:
    """Declare ``n`` more procedures (a plugin registered for this process)."""
    from core.catalogue import registry, versions

    _register(_filler_class()(n), "bench_catalogue")
    versions.clear_cache()
    registry.get_catalogue()


async def build(extra: int = 0) -> dict[str, Any]:
    """Build the province; returns ``{"tree", "users", "as", "receiving"}``.

    ``receiving`` lists ``(agency, receiver view)`` pairs: the ward first, then the extra communes.
    """
    from core.catalogue import service as catalogue
    from tests.fixtures.builders import grant, make_agency
    from tests.fixtures.engine_route import actor, make_user, setup_route

    w = await setup_route(lambda obj, name: _register(obj, name))
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    province = w["tree"]["province"]["id"]
    w["receiving"] = [(w["tree"]["ward"], w["as"]["receiver"])]
    for i in range(extra):
        agency = await make_agency(
            f"000.35.{i + 1:02d}.H39", f"UBND xã Thử Tải {i + 1}", "commune", parent=province
        )
        staff = {}
        for role in ("receiver", "specialist", "approver"):
            user = await make_user(f"bench_{role}_{i + 1}", full_name=f"Cán bộ {role} {i + 1}")
            await grant(user, agency, role)
            staff[role] = user
        await catalogue.set_enabled(PROC, agency["id"], True)
        w["receiving"].append((agency, await actor(staff["receiver"])))
    return w


async def draft(agency: dict, receiver: Any, n: int):
    """A counter dossier waiting for intake at ``agency`` (not yet received: no code)."""
    from core.dossiers import service

    return await service.create(
        PROC,
        agency["id"],
        actor=receiver,
        applicant={
            "name": f"Nguyễn Thị Hằng {n}",
            "address": "Tân Phú, Đồng Nai",
            "id_number": "079123456789",
            "phone": "0912345678",
        },
        data={"subject": f"Đề nghị số {n}"},
        channel="truc_tiep",
    )
