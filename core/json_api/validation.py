"""Vietnamese messages, at each field, for a JSON API body its type refused.

Litestar decodes a request body into its ``msgspec.Struct`` (``core.json_api.bodies``) and stops at the
first problem, in English. When that happens, :func:`field_errors` walks the same type over the body
as sent and names every field that breaks it, with the field's label (the ``title`` of its ``Meta``)
and the wording of the free-text checks (``core.forms.validators``), so the caller can fix them all
at once.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

import msgspec
from msgspec import Meta

from core.forms.validators import control_problem, length_problem

__all__ = ("NOT_AN_OBJECT", "body_type", "field_errors")

NOT_AN_OBJECT = "Nội dung yêu cầu phải là một đối tượng JSON."

Errors = list[tuple[str | None, str]]


def body_type(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct a handler's ``data`` is decoded into (``Annotated`` unwrapped), or None."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct) else None


def field_errors(tp: type[msgspec.Struct], value: Any, prefix: str = "") -> Errors:
    """Every field of ``value`` that ``tp`` refuses, as ``[(dotted field, Vietnamese message)]``."""
    if not isinstance(value, dict):
        return [(prefix or None, NOT_AN_OBJECT if not prefix else f"“{prefix}” phải là một đối tượng JSON.")]
    hints = typing.get_type_hints(tp, include_extras=True)
    errors: Errors = []
    for field in msgspec.structs.fields(tp):
        path = f"{prefix}.{field.encode_name}" if prefix else field.encode_name
        annotation = hints[field.name]
        if field.encode_name not in value:
            if field.required:
                label = _label(annotation, path)
                errors.append((path, f"Thiếu {label[:1].lower()}{label[1:]}."))
            continue
        try:
            msgspec.convert(value[field.encode_name], annotation, strict=False)
        except msgspec.ValidationError:
            errors += _problems(annotation, value[field.encode_name], path)
    return errors


def _split(annotation: Any) -> tuple[Any, Meta | None]:
    """``(base type, Meta)`` of ``Annotated[base, Meta]``, optional types reduced to their other member."""
    meta = None
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            meta = next((m for m in args[1:] if isinstance(m, Meta)), meta)
            annotation = args[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, meta
            annotation = members[0]
        else:
            return annotation, meta


def _label(annotation: Any, path: str) -> str:
    _base, meta = _split(annotation)
    return meta.title if meta is not None and meta.title else f"Trường “{path}”"


def _problems(annotation: Any, value: Any, path: str) -> Errors:
    base, meta = _split(annotation)
    label = _label(annotation, path)
    origin = typing.get_origin(base)
    if isinstance(base, type) and issubclass(base, msgspec.Struct):
        return field_errors(base, value, path)
    if base is str:
        if not isinstance(value, str):
            return [(path, f"{label} phải là một đoạn văn bản.")]
        limit = meta.max_length if meta is not None else None
        if limit is not None and (problem := length_problem(value, label, limit)):
            return [(path, problem)]
        if problem := control_problem(value, label):
            return [(path, problem)]
        if "\n" in value or "\r" in value:
            return [(path, f"{label} chỉ gồm một dòng, không xuống dòng.")]
        return [(path, f"{label} không đúng định dạng.")]
    if base is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return [(path, f"{label} phải là một số nguyên.")]
        low = meta.ge if meta is not None and meta.ge is not None else None
        high = meta.le if meta is not None and meta.le is not None else None
        return [(path, f"{label} phải là số nguyên từ {low} đến {high}.")]
    if origin is Literal:
        choices = ", ".join(f"“{c}”" for c in typing.get_args(base))
        return [(path, f"{label} phải là một trong các giá trị: {choices}.")]
    if origin is list:
        if not isinstance(value, list):
            return [(path, f"{label} phải là một danh sách.")]
        if meta is not None and meta.max_length is not None and len(value) > meta.max_length:
            return [(path, f"{label}: chỉ liệt kê tối đa {meta.max_length} mục.")]
        (item_type,) = typing.get_args(base)
        found: Errors = []
        for item in value:
            try:
                msgspec.convert(item, item_type, strict=False)
            except msgspec.ValidationError:
                found += [e for e in _problems(item_type, item, path) if e not in found]
        return found or [(path, f"{label} không hợp lệ.")]
    if origin is dict:
        return [(path, f"{label} phải là một đối tượng JSON.")]
    return [(path, f"{label} không hợp lệ.")]
