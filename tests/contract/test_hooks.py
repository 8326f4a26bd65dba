"""One test per hook (``test_hook_<name>``): the hook is called, and what it returns takes effect.

Hooks whose consumer is a specific concern are also tested there; these tests pin the contract."""

from __future__ import annotations

from datetime import time

import pytest

from core.api import (
    DomainInfo,
    FieldSpec,
    FormSpec,
    L,
    MenuItem,
    PageSpec,
    ProcedureSpec,
    StageSpec,
    StepSpec,
    WorkflowSpec,
    hookimpl,
)
from core.catalogue.registry import PluginError, build


class Mini:
    """A tiny complete domain used by several hook tests."""

    def __init__(
        self, code="9.999001", result_ids=(), with_form=True, budget=1.0, vi_name="Thủ tục thử nghiệm"
    ):
        self.code, self.result_ids, self.with_form, self.budget, self.vi_name = (
            code,
            result_ids,
            with_form,
            budget,
            vi_name,
        )

    @hookimpl
    def domain_info(self):
        return DomainInfo(code="mini", name=L("Lĩnh vực thử", "Test domain"))

    @hookimpl
    def register_procedures(self):
        return [
            ProcedureSpec(
                code=self.code,
                domain="mini",
                name=L(self.vi_name, "Test procedure"),
                agency_level="commune",
                processing_days=1,
                legal_basis=("Nghị định 118/2025/NĐ-CP",),
                documents=(),
                form="mini.form",
                workflow="mini.wf",
                results=self.result_ids,
                cutoff=time(15),
            )
        ]

    @hookimpl
    def register_forms(self):
        if not self.with_form:
            return []
        return [
            FormSpec(
                "mini.form",
                L("Tờ khai", "Form"),
                (PageSpec("p", L("Trang một", "Page"), (FieldSpec("ho_ten", L("Họ và tên", "Name")),)),),
            )
        ]

    @hookimpl
    def register_workflows(self):
        return [
            WorkflowSpec(
                "mini.wf",
                L("Quy trình thử", "Route"),
                (StageSpec((StepSpec("a", L("Bước một", "One"), role="specialist", days=self.budget),)),),
            )
        ]


def test_hook_domain_info(temp_plugin):
    temp_plugin(Mini(), "t_mini")
    cat = build()
    assert cat.domains["mini"].name.vi == "Lĩnh vực thử"
    assert cat.domain_plugin["mini"] == "t_mini"


def test_hook_register_procedures(temp_plugin):
    temp_plugin(Mini(), "t_mini")
    cat = build()
    assert cat.procedures["9.999001"].domain == "mini"
    assert cat.owner["procedure:9.999001"] == "t_mini"


def test_hook_register_procedures_duplicate_code_names_both_plugins(temp_plugin):
    temp_plugin(Mini(), "t_mini")

    class Other(Mini):
        @hookimpl
        def domain_info(self):
            return DomainInfo(code="other", name=L("Lĩnh vực khác", "Other"))

        @hookimpl
        def register_procedures(self):
            return [
                ProcedureSpec(
                    code="9.999001",
                    domain="other",
                    name=L("Thủ tục trùng mã", "Dup"),
                    agency_level="commune",
                    processing_days=1,
                    legal_basis=("x",),
                    documents=(),
                    form="mini.form",
                    workflow="mini.wf",
                )
            ]

        @hookimpl
        def register_forms(self):
            return []

        @hookimpl
        def register_workflows(self):
            return []

    temp_plugin(Other(), "t_other")
    with pytest.raises(PluginError) as err:
        build()
    assert "t_other" in str(err.value) and "t_mini" in str(err.value)


def test_hook_register_forms(temp_plugin):
    temp_plugin(Mini(with_form=False), "t_mini")
    with pytest.raises(PluginError, match="t_mini.*biểu mẫu 'mini.form' không tồn tại"):
        build()


def test_hook_register_workflows(temp_plugin):
    temp_plugin(Mini(budget=2.0), "t_mini")
    with pytest.raises(PluginError, match="t_mini.*vượt thời hạn"):
        build()


def test_hook_register_result_documents(temp_plugin):
    temp_plugin(Mini(result_ids=("mini.cert",)), "t_mini")
    with pytest.raises(PluginError, match="kết quả 'mini.cert' không tồn tại"):
        build()


def test_labels_must_have_vietnamese(temp_plugin):
    temp_plugin(Mini(vi_name="Registration of something"), "t_mini")
    with pytest.raises(PluginError, match="t_mini.*không có dấu"):
        build()


def test_hook_register_piccolo_app():
    from core.db.piccolo_conf import APP_REGISTRY
    from core.plugins import plugin_piccolo_apps

    assert "plugins.business_reg.piccolo_app" in plugin_piccolo_apps()
    assert "business_reg" in APP_REGISTRY.app_configs


async def test_hook_register_piccolo_app_tables_are_migrated(db):
    from core.db.tx import raw

    rows = await raw("SELECT COUNT(*) AS n FROM bizreg_business")
    assert rows[0]["n"] == 0


class Pages:
    @hookimpl
    def domain_info(self):
        return DomainInfo(code="pages", name=L("Trang thử", "Pages"))

    @hookimpl
    def register_routes(self):
        from litestar import get

        @get("/xin-chao", include_in_schema=False)
        async def hello() -> str:
            return "xin chào"

        return [hello]

    @hookimpl
    def menu_items(self, user, request):
        return [MenuItem("/pages/xin-chao", L("Trang của plugin", "Plugin page"), order=99)]

    @hookimpl
    def template_context(self, template_name, request):
        async def extra():
            return {"plugin_greeting": f"chào từ {template_name}"}

        return extra()

    @hookimpl
    def prepare_jinja_environment(self, env):
        env.filters["hoa"] = lambda s: s.upper()

    @hookimpl
    def register_commands(self, subparsers):
        p = subparsers.add_parser("chao", help="chào")
        p.set_defaults(func=lambda args: print("xin chào"))


async def test_hook_register_routes(db, temp_plugin):
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    temp_plugin(Pages(), "t_pages")
    async with AsyncTestClient(app=create_app()) as c:
        r = await c.get("/pages/xin-chao")  # a domain plugin's routes are mounted under /{domain}
        assert r.status_code == 200 and r.text == "xin chào"


async def test_hook_menu_items(db, temp_plugin):
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    temp_plugin(Pages(), "t_pages")
    async with AsyncTestClient(app=create_app()) as c:
        r = await c.get("/")
        assert 'href="/pages/xin-chao">Trang của plugin' in r.text


async def test_hook_template_context(temp_plugin, app):
    from core.web.render import base_context

    temp_plugin(Pages(), "t_pages")
    the_app = app  # menu_items build their links from the app's route names

    class Req:
        scope = {"motcua_user": None}
        app = the_app

    ctx = await base_context(Req(), "home/index.html")
    assert ctx["plugin_greeting"] == "chào từ home/index.html"


def test_hook_prepare_jinja_environment(temp_plugin):
    from core.text.templating import build_environment

    temp_plugin(Pages(), "t_pages")
    build_environment.cache_clear()
    try:
        env = build_environment("default")
        assert env.from_string("{{ 'đồng nai'|hoa }}").render() == "ĐỒNG NAI"
    finally:
        build_environment.cache_clear()


def test_hook_register_commands(temp_plugin, capsys):
    from core.cli import main

    temp_plugin(Pages(), "t_pages")
    main(["chao"])
    assert capsys.readouterr().out.strip() == "xin chào"


class Ledger:
    """A domain that keeps one registry (``register_registries``)."""

    @hookimpl
    def domain_info(self):
        return DomainInfo(code="ledger", name=L("Sổ cái thử", "Ledger"))

    @hookimpl
    def register_registries(self):
        from core.api import RegistrySpec

        return [
            RegistrySpec(
                id="ledger.rows",
                name=L("Sổ cái", "Ledger rows"),
                personal=("owner_id",),
                key=lambda r: r["no"],
                keeper_kinds=("tax",),
            )
        ]


async def test_hook_register_registries(temp_plugin):
    from core.api import registry_view

    temp_plugin(Ledger(), "t_ledger")
    cat = build()
    assert cat.registries["ledger.rows"].name.vi == "Sổ cái"
    assert cat.owner["registry:ledger.rows"] == "t_ledger"
    # what the declaration says takes effect: a visitor gets the record without its personal fields
    view = await registry_view("ledger.rows", {"no": "1", "owner_id": "075190001234"}, None)
    assert view.record == {"no": "1"} and not view.personal


def test_hook_register_registries_in_another_plugins_domain_is_refused(temp_plugin):
    class Intruder(Ledger):
        @hookimpl
        def domain_info(self):
            return DomainInfo(code="intruder", name=L("Lĩnh vực khác", "Other"))

    temp_plugin(Intruder(), "t_intruder")
    temp_plugin(Ledger(), "t_ledger")
    with pytest.raises(PluginError) as err:
        build()
    assert "Plugin 't_intruder'" in str(err.value) and "ledger.rows" in str(err.value)
