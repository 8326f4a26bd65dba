"""Build the catalogue from the plugins' declaration hooks: attribute, validate, freeze.

A broken declaration stops startup with a message that names the plugin at fault.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from core.contract.specs import (
    AGENCY_LEVELS,
    INTAKE_CHANNELS,
    ONLINE_LEVELS,
    ROLES,
    VALIDATOR_KINDS,
    DomainInfo,
    FormSpec,
    JobSpec,
    L,
    PermissionSpec,
    ProcedureSpec,
    RegistrySpec,
    ResultDocumentSpec,
    WorkflowSpec,
)
from core.plugins import get_plugin_manager

WIDGETS = frozenset(
    ("text", "textarea", "date", "number", "select", "radio", "checkbox", "cccd", "phone", "email", "money")
)
"""Widgets a ``FieldSpec`` may use (rendered by ``templates/forms/field.html``)."""

__all__ = ("Catalogue", "PluginError", "build", "get_catalogue", "reset")


class PluginError(RuntimeError):
    """A plugin's declarations are inconsistent; the message names the plugin."""


@dataclass(frozen=True)
class Catalogue:
    domains: MappingProxyType[str, DomainInfo]
    procedures: MappingProxyType[str, ProcedureSpec]
    forms: MappingProxyType[str, FormSpec]
    workflows: MappingProxyType[str, WorkflowSpec]
    results: MappingProxyType[str, ResultDocumentSpec]
    permissions: MappingProxyType[str, PermissionSpec]
    jobs: MappingProxyType[str, JobSpec]
    owner: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """``"procedure:<code>"`` / ``"form:<id>"`` / … → name of the plugin that declared it."""
    domain_plugin: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Domain code → plugin name."""
    registries: MappingProxyType[str, RegistrySpec] = field(default_factory=lambda: MappingProxyType({}))
    """Registries the plugins keep (``register_registries``), by id."""

    def procedure(self, code: str) -> ProcedureSpec | None:
        return self.procedures.get(code)


def _collect(pm, hook_name: str) -> Iterable[tuple[str, Any]]:
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():
        try:
            result = impl.function()
        except Exception as exc:
            raise PluginError(f"Plugin '{impl.plugin_name}': hook {hook_name} lỗi: {exc}") from exc
        if result is None:
            continue
        items = [result] if hook_name == "domain_info" else list(result)
        for item in items:
            yield impl.plugin_name, item


def _check_label(plugin: str, what: str, value: Any) -> None:
    if not isinstance(value, L) or not value.vi.strip():
        raise PluginError(f"Plugin '{plugin}': {what} thiếu nhãn tiếng Việt.")
    if value.vi.isascii() and len(value.vi) > 12 and " " in value.vi:
        # Vietnamese sentences of this length always carry diacritics; plain ASCII means English
        # (or unaccented Vietnamese) slipped into the Vietnamese slot.
        raise PluginError(f"Plugin '{plugin}': nhãn tiếng Việt của {what} không có dấu: '{value.vi}'.")


def _register(kind: str, table: dict, owner: dict, plugin: str, key: str, spec: Any) -> None:
    if key in table:
        raise PluginError(
            f"Plugin '{plugin}': {kind} '{key}' đã được plugin '{owner[f'{kind}:{key}']}' khai báo (trùng mã)."
        )
    table[key] = spec
    owner[f"{kind}:{key}"] = plugin


def _validate_procedure(p: ProcedureSpec, plugin: str, cat: dict) -> None:
    where = f"thủ tục {p.code}"
    _check_label(plugin, where, p.name)
    if p.domain not in cat["domains"]:
        raise PluginError(f"Plugin '{plugin}': {where} thuộc lĩnh vực '{p.domain}' chưa được khai báo.")
    if p.agency_level not in AGENCY_LEVELS:
        raise PluginError(f"Plugin '{plugin}': {where} có cấp tiếp nhận '{p.agency_level}' không hợp lệ.")
    if p.online_level not in ONLINE_LEVELS:
        raise PluginError(f"Plugin '{plugin}': {where} có mức trực tuyến '{p.online_level}' không hợp lệ.")
    if p.form not in cat["forms"]:
        raise PluginError(f"Plugin '{plugin}': {where} dùng biểu mẫu '{p.form}' không tồn tại.")
    if p.workflow not in cat["workflows"]:
        raise PluginError(f"Plugin '{plugin}': {where} dùng quy trình '{p.workflow}' không tồn tại.")
    for rid in p.results:
        if rid not in cat["results"]:
            raise PluginError(f"Plugin '{plugin}': {where} dùng kết quả '{rid}' không tồn tại.")
    wf = cat["workflows"][p.workflow]
    if wf.budget_days() > p.processing_days + 1e-9 and p.processing_days > 0:
        raise PluginError(
            f"Plugin '{plugin}': quy trình '{wf.id}' cần {wf.budget_days():g} ngày làm việc, "
            f"vượt thời hạn {p.processing_days:g} ngày của {where}."
        )
    if not p.legal_basis:
        raise PluginError(f"Plugin '{plugin}': {where} thiếu căn cứ pháp lý.")
    if not p.intake_channels or set(p.intake_channels) - set(INTAKE_CHANNELS):
        raise PluginError(
            f"Plugin '{plugin}': {where} khai báo kênh nộp hồ sơ không hợp lệ {list(p.intake_channels)} "
            f"(chỉ: {', '.join(INTAKE_CHANNELS)})."
        )
    if p.remote_area_extra_days and not p.remote_area_basis.strip():
        raise PluginError(
            f"Plugin '{plugin}': {where} cộng thêm {p.remote_area_extra_days} ngày cho xã vùng sâu, vùng xa "
            "mà không ghi căn cứ pháp lý của việc gia hạn (remote_area_basis)."
        )
    if p.max_sets is not None and p.sets > p.max_sets:
        raise PluginError(
            f"Plugin '{plugin}': {where} yêu cầu {p.sets} bộ hồ sơ; pháp luật chỉ cho phép yêu cầu "
            f"{p.max_sets} bộ (không được yêu cầu thêm)."
        )
    seen = set()
    for doc in p.documents:
        _check_label(plugin, f"giấy tờ '{doc.code}' của {where}", doc.name)
        if doc.code in seen:
            raise PluginError(f"Plugin '{plugin}': {where} khai báo giấy tờ '{doc.code}' hai lần.")
        seen.add(doc.code)


def _validate_workflow(wf: WorkflowSpec, plugin: str) -> None:
    _check_label(plugin, f"quy trình {wf.id}", wf.name)
    if not wf.stages or any(not st.steps for st in wf.stages):
        raise PluginError(f"Plugin '{plugin}': quy trình '{wf.id}' có giai đoạn không có bước nào.")
    ids = [s.id for s in wf.steps()]
    if len(ids) != len(set(ids)):
        raise PluginError(f"Plugin '{plugin}': quy trình '{wf.id}' có mã bước trùng nhau.")
    for step in wf.steps():
        _check_label(plugin, f"bước '{step.id}' của quy trình {wf.id}", step.name)
        if step.role not in ROLES:
            raise PluginError(
                f"Plugin '{plugin}': bước '{step.id}' của '{wf.id}' giao cho vai trò '{step.role}' không tồn tại."
            )
        if step.days < 0:
            raise PluginError(f"Plugin '{plugin}': bước '{step.id}' của '{wf.id}' có thời gian âm.")


def _validate_form(form: FormSpec, plugin: str) -> None:
    _check_label(plugin, f"biểu mẫu {form.id}", form.title)
    names = set()
    for page in form.pages:
        _check_label(plugin, f"trang '{page.id}' của biểu mẫu {form.id}", page.title)
        for f in page.fields:
            _check_label(plugin, f"trường '{f.name}' của biểu mẫu {form.id}", f.label)
            if f.name in names:
                raise PluginError(f"Plugin '{plugin}': biểu mẫu '{form.id}' có trường '{f.name}' hai lần.")
            names.add(f.name)
            for value, lab in f.choices:
                _check_label(plugin, f"lựa chọn '{value}' của trường '{f.name}'", lab)
            for val in f.validators:
                if val.kind not in VALIDATOR_KINDS:
                    raise PluginError(
                        f"Plugin '{plugin}': trường '{f.name}' của biểu mẫu {form.id} dùng kiểu kiểm tra "
                        f"'{val.kind}' không tồn tại (có: {', '.join(sorted(VALIDATOR_KINDS))})."
                    )
            if f.widget not in WIDGETS:
                raise PluginError(
                    f"Plugin '{plugin}': trường '{f.name}' của biểu mẫu {form.id} dùng kiểu nhập "
                    f"'{f.widget}' không tồn tại."
                )


_REGISTRY_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_PATH = re.compile(r"^(\*|[A-Za-z_][A-Za-z0-9_]*)(\.(\*|[A-Za-z_][A-Za-z0-9_]*))*$")


def _validate_registry(r: RegistrySpec, plugin: str, domain_plugin: dict[str, str]) -> None:
    from core.identity.agencies import AGENCY_KINDS

    if not isinstance(r, RegistrySpec):
        raise PluginError(
            f"Plugin '{plugin}': register_registries phải trả về RegistrySpec, không phải {type(r).__name__}."
        )
    where = f"sổ '{r.id}'"
    if not isinstance(r.id, str) or not _REGISTRY_ID.match(r.id) or len(r.id) > 32:
        raise PluginError(
            f"Plugin '{plugin}': mã {where} phải có dạng <lĩnh vực>.<tên> (chữ thường, tối đa 32 ký tự)."
        )
    if domain_plugin.get(r.id.split(".")[0]) != plugin:
        raise PluginError(f"Plugin '{plugin}': {where} phải thuộc lĩnh vực do chính plugin khai báo.")
    _check_label(plugin, where, r.name)
    if not r.personal or any(not isinstance(p, str) or not _PATH.match(p) for p in r.personal):
        raise PluginError(
            f"Plugin '{plugin}': {where} phải kê các trường thông tin cá nhân "
            "(khóa, nối bằng dấu chấm, * cho mọi phần tử của danh sách)."
        )
    unknown = [k for k in r.keeper_kinds if k not in AGENCY_KINDS]
    if unknown:
        raise PluginError(
            f"Plugin '{plugin}': {where} giao cho loại cơ quan không tồn tại: "
            f"{', '.join(unknown)} (có: {', '.join(AGENCY_KINDS)})."
        )
    if not r.keeper_kinds and r.keeper is None:
        raise PluginError(
            f"Plugin '{plugin}': {where} phải nêu cơ quan quản lý sổ (keeper_kinds hoặc keeper)."
        )
    for name in ("key", "keeper", "dossier_codes", "dossier_answers"):
        value = getattr(r, name)
        if (value is not None or name == "key") and not callable(value):
            raise PluginError(f"Plugin '{plugin}': {where} có {name} không phải là hàm.")


def build(pm=None) -> Catalogue:
    """Call every declaration hook, validate the whole set, and return it frozen."""
    pm = pm or get_plugin_manager()
    owner: dict[str, str] = {}
    cat: dict[str, dict] = {
        k: {} for k in ("domains", "procedures", "forms", "workflows", "results", "permissions", "jobs")
    }
    domain_plugin: dict[str, str] = {}
    slugs: dict[str, DomainInfo] = {}
    for plugin, d in _collect(pm, "domain_info"):
        _check_label(plugin, f"lĩnh vực {d.code}", d.name)
        if plugin in domain_plugin.values():
            raise PluginError(f"Plugin '{plugin}' khai báo nhiều hơn một lĩnh vực.")
        _register("domain", cat["domains"], owner, plugin, d.code, d)
        domain_plugin[d.code] = plugin
        slug = d.slug or d.code
        if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", slug):
            raise PluginError(
                f"Plugin '{plugin}': tiền tố địa chỉ '{slug}' chỉ gồm chữ thường không dấu, số và dấu gạch ngang."
            )
        _register("tiền tố địa chỉ", slugs, owner, plugin, slug, d)
    for hook, kind, key in (
        ("register_forms", "forms", "id"),
        ("register_workflows", "workflows", "id"),
        ("register_result_documents", "results", "id"),
        ("register_permissions", "permissions", "code"),
        ("register_jobs", "jobs", "name"),
    ):
        for plugin, spec in _collect(pm, hook):
            _register(kind.rstrip("s"), cat[kind], owner, plugin, getattr(spec, key), spec)
    for wid, wf in cat["workflows"].items():
        _validate_workflow(wf, owner[f"workflow:{wid}"])
    for fid, form in cat["forms"].items():
        _validate_form(form, owner[f"form:{fid}"])
    for pid, perm in cat["permissions"].items():
        _check_label(owner[f"permission:{pid}"], f"quyền {pid}", perm.description)
    for rid, res in cat["results"].items():
        _check_label(owner[f"result:{rid}"], f"kết quả {rid}", res.name)
    for plugin, p in _collect(pm, "register_procedures"):
        _register("procedure", cat["procedures"], owner, plugin, p.code, p)
        _validate_procedure(p, plugin, cat)
        if domain_plugin.get(p.domain) != plugin:
            raise PluginError(
                f"Plugin '{plugin}': thủ tục {p.code} thuộc lĩnh vực '{p.domain}' của plugin khác."
            )
    registries: dict[str, RegistrySpec] = {}
    for plugin, r in _collect(pm, "register_registries"):
        _validate_registry(r, plugin, domain_plugin)
        _register("registry", registries, owner, plugin, r.id, r)
    return Catalogue(
        **{k: MappingProxyType(v) for k, v in cat.items()},
        owner=MappingProxyType(owner),
        domain_plugin=MappingProxyType(domain_plugin),
        registries=MappingProxyType(registries),
    )


@functools.cache
def get_catalogue() -> Catalogue:
    """The catalogue of this process (built on first use, validated once)."""
    return build()


def reset() -> None:
    get_catalogue.cache_clear()
