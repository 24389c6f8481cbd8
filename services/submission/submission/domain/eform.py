"""Build a marshmallow schema from a procedure version's e-form definition.

A field definition (as published by catalog) looks like::

    {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": true,
     "min": 2, "max": 100, "pattern": "^[^0-9]+$", "options": [...], "prefill": "full_name"}

`min`/`max` bound the length of text values, the value of numbers and the date of dates
(ISO date or "today"). Saving a draft validates only what is filled; submitting validates
everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .cccd import cccd_problem
from .errors import InvalidInput

FIELD_TYPES = frozenset(
    {"text", "textarea", "number", "date", "select", "radio", "checkbox", "email", "phone",
     "cccd", "address"}
)
_PHONE_RE = r"^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$"
_TEXT_TYPES = {"text", "textarea", "email", "phone", "cccd", "address"}
_DEFAULT_MAX_TEXT = {"text": 500, "textarea": 5000, "address": 500}


def _option_values(definition: Mapping[str, Any]) -> list[str]:
    values = []
    for option in definition.get("options") or []:
        values.append(str(option["value"]) if isinstance(option, Mapping) else str(option))
    return values


def _bound_date(value: Any, today: date) -> date | None:
    if value in (None, ""):
        return None
    if value == "today":
        return today
    return date.fromisoformat(str(value))


def _field_for(definition: Mapping[str, Any], today: date) -> fields.Field:
    kind = definition.get("type", "text")
    label = definition.get("label") or definition["name"]
    required = bool(definition.get("required"))
    messages = {
        "required": f"Vui lòng nhập “{label}”.",
        "null": f"Vui lòng nhập “{label}”.",
        "invalid": f"“{label}” không đúng định dạng.",
    }
    lo, hi = definition.get("min"), definition.get("max")
    checks: list = []
    options = _option_values(definition)

    if kind in _TEXT_TYPES:
        max_len = hi if hi is not None else _DEFAULT_MAX_TEXT.get(kind)
        if lo is not None or max_len is not None:
            checks.append(validate.Length(
                min=lo, max=max_len,
                error=f"“{label}” phải có độ dài từ {lo or 0} đến {max_len} ký tự."
                if lo is not None else f"“{label}” tối đa {max_len} ký tự.",
            ))
        if definition.get("pattern"):
            checks.append(validate.Regexp(
                re.compile(definition["pattern"]),
                error=definition.get("pattern_message") or f"“{label}” không đúng định dạng.",
            ))
        if kind == "email":
            checks.append(validate.Email(error=f"“{label}” không phải địa chỉ email hợp lệ."))
        elif kind == "phone":
            checks.append(validate.Regexp(
                _PHONE_RE, error=f"“{label}” không phải số điện thoại Việt Nam hợp lệ."))
        elif kind == "cccd":
            checks.append(_cccd_check)
        return fields.String(required=required, validate=checks, error_messages=messages)

    if kind == "number":
        if lo is not None or hi is not None:
            checks.append(validate.Range(
                min=lo, max=hi, error=_range_message(label, _fmt(lo), _fmt(hi))))
        messages["invalid"] = f"“{label}” phải là một số."
        return fields.Float(required=required, validate=checks, error_messages=messages,
                            allow_nan=False)

    if kind == "date":
        d_lo, d_hi = _bound_date(lo, today), _bound_date(hi, today)
        if d_lo or d_hi:
            checks.append(validate.Range(
                min=d_lo, max=d_hi,
                error=_range_message(label, _fmt_date(d_lo), _fmt_date(d_hi))))
        messages["invalid"] = f"“{label}” phải là ngày hợp lệ (YYYY-MM-DD)."
        return fields.Date(required=required, validate=checks, error_messages=messages)

    if kind in ("select", "radio"):
        checks.append(validate.OneOf(
            options, error=f"Vui lòng chọn một giá trị hợp lệ cho “{label}”."))
        return fields.String(required=required, validate=checks, error_messages=messages)

    if kind == "checkbox":
        if options:
            return fields.List(
                fields.String(validate=validate.OneOf(
                    options, error=f"Lựa chọn không hợp lệ cho “{label}”.")),
                required=required,
                validate=validate.Length(min=1 if required else 0,
                                         error=f"Vui lòng chọn ít nhất một mục cho “{label}”."),
                error_messages=messages,
            )
        if required:  # a single required checkbox is a declaration that must be ticked
            checks.append(validate.Equal(True, error=f"Vui lòng xác nhận “{label}”."))
        messages["invalid"] = f"“{label}” phải là có hoặc không."
        return fields.Boolean(required=required, validate=checks, error_messages=messages)

    raise ValueError(f"unknown e-form field type: {kind}")


def _cccd_check(value: str) -> None:
    problem = cccd_problem(value)
    if problem:
        raise ValidationError(problem)


def _range_message(label: str, lo: str, hi: str) -> str:
    if lo and hi:
        return f"“{label}” phải nằm trong khoảng {lo} – {hi}."
    if lo:
        return f"“{label}” không được nhỏ hơn {lo}."
    return f"“{label}” không được lớn hơn {hi}."


def _fmt(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _fmt_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def build_schema(eform: Mapping[str, Any], today: date) -> Schema:
    """A marshmallow schema instance validating form data against `eform["fields"]`.

    Built once per definition and day (a procedure version's e-form never changes, and
    building copies every field), then shared: `load` keeps no state on the instance.
    """
    return _schema_for(json.dumps(eform, sort_keys=True, ensure_ascii=False, default=str), today)


@lru_cache(maxsize=256)
def _schema_for(eform_json: str, today: date) -> Schema:
    eform = json.loads(eform_json)
    declared = {d["name"]: _field_for(d, today) for d in eform.get("fields", [])}
    schema_cls = Schema.from_dict(declared, name="EForm")
    schema_cls.error_messages = {
        "unknown": "Trường này không có trong biểu mẫu.",
        "type": "Dữ liệu biểu mẫu phải là một đối tượng.",
    }
    return schema_cls(unknown=RAISE)


def _is_blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def validate_form(
    eform: Mapping[str, Any], data: Mapping[str, Any], *, complete: bool, today: date
) -> dict[str, Any]:
    """Validated, JSON-ready form data, or InvalidInput with one message per field.

    `complete=False` (saving a draft) checks only the fields that are filled;
    `complete=True` (submitting) also requires every required field.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("Dữ liệu biểu mẫu không hợp lệ.", {"form": ["Phải là một đối tượng."]})
    filled = {k: (v.strip() if isinstance(v, str) else v)
              for k, v in data.items() if not _is_blank(v)}
    try:
        loaded = build_schema(eform, today).load(filled, partial=not complete)
    except ValidationError as exc:
        errors = {
            name: msgs if isinstance(msgs, list) else _flatten(msgs)
            for name, msgs in exc.normalized_messages().items()
        }
        raise InvalidInput("Thông tin trong biểu mẫu chưa hợp lệ.", errors) from None
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in loaded.items()}


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, Mapping):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def prefill(eform: Mapping[str, Any], profile: Mapping[str, Any] | None) -> dict[str, Any]:
    """Initial form values from a consented profile copy: only fields that name `prefill`."""
    if not profile:
        return {}
    values = {}
    for definition in eform.get("fields", []):
        source = definition.get("prefill")
        if source and not _is_blank(profile.get(source)):
            values[definition["name"]] = profile[source]
    return values


def applicant_values(eform: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Who applies, as the form says it: values of the fields that name a profile key
    (`prefill`), and a `cccd` field's value when no field is marked as the CCCD."""
    values: dict[str, Any] = {}
    for definition in eform.get("fields", []):
        value = data.get(definition["name"])
        if _is_blank(value):
            continue
        key = definition.get("prefill") or ("cccd" if definition.get("type") == "cccd" else None)
        if key and key not in values:
            values[key] = value
    return values


def check_eform_definition(eform: Mapping[str, Any]) -> list[str]:
    """Problems that would make the e-form unusable (empty when fine)."""
    problems = []
    for definition in eform.get("fields", []):
        kind = definition.get("type")
        if kind not in FIELD_TYPES:
            problems.append(f"{definition.get('name')}: unknown type {kind}")
        elif kind in ("select", "radio") and not definition.get("options"):
            problems.append(f"{definition.get('name')}: {kind} without options")
    return problems
