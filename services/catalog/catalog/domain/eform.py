"""E-form schemas: the interactive form a citizen fills for a level-3/4 procedure.

A schema is ``{"fields": [field, ...]}``; a field is a dict with ``name``, ``type``, ``label``
and optionally ``help``, ``required``, ``min``, ``max``, ``pattern``, ``options``, ``prefill``,
``placeholder``, ``section``. ``min``/``max`` bound the value of ``number`` fields, the date of
``date`` fields (ISO ``YYYY-MM-DD`` or ``"today"``) and the length of text-like fields.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from servicekit.clock import today_in_vietnam

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "select",
    "radio",
    "checkbox",
    "email",
    "phone",
    "cccd",
    "address",
)
OPTION_TYPES = ("select", "radio")
LENGTH_TYPES = ("text", "textarea", "email", "phone", "cccd", "address")
# Profile fields the submission service may copy into a draft when the citizen consented.
PREFILL_FIELDS = ("full_name", "date_of_birth", "cccd", "phone", "email", "address")
PREFILL_TYPES = {
    "full_name": ("text",),
    "date_of_birth": ("date",),
    "cccd": ("cccd", "text"),
    "phone": ("phone", "text"),
    "email": ("email", "text"),
    "address": ("address", "text", "textarea"),
}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
KNOWN_KEYS = {
    "name",
    "type",
    "label",
    "help",
    "required",
    "min",
    "max",
    "pattern",
    "options",
    "prefill",
    "placeholder",
    "section",
}

Errors = dict[str, list[str]]


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _as_date(value: Any, today: dt.date) -> dt.date | None:
    """An ISO date, or ``today`` (the day of validation in Vietnam) for the keyword."""
    if value == "today":
        return today
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bounds_errors(field: dict, where: str, errors: Errors, today: dt.date) -> None:
    kind = field.get("type")
    low, high = field.get("min"), field.get("max")
    for key, value in (("min", low), ("max", high)):
        if value is None:
            continue
        if kind == "date":
            if _as_date(value, today) is None:
                _add(
                    errors,
                    f"{where}.{key}",
                    'Giới hạn ngày phải theo dạng YYYY-MM-DD hoặc "today".',
                )
        elif kind == "number":
            if not _is_number(value):
                _add(errors, f"{where}.{key}", "Giới hạn phải là số.")
        elif kind in LENGTH_TYPES:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                _add(errors, f"{where}.{key}", "Độ dài giới hạn phải là số nguyên không âm.")
        else:
            _add(errors, f"{where}.{key}", f"Kiểu trường '{kind}' không dùng giới hạn min/max.")
    if f"{where}.min" in errors or f"{where}.max" in errors or low is None or high is None:
        return
    if kind == "date":
        low, high = _as_date(low, today), _as_date(high, today)
    if low > high:
        _add(errors, f"{where}.min", "Giá trị nhỏ nhất (min) lớn hơn giá trị lớn nhất (max).")


def _options_errors(field: dict, where: str, errors: Errors) -> None:
    kind = field.get("type")
    options = field.get("options")
    if kind in OPTION_TYPES and not options:
        _add(errors, f"{where}.options", f"Trường kiểu '{kind}' phải có danh sách lựa chọn.")
        return
    if options is None:
        return
    if kind not in (*OPTION_TYPES, "checkbox"):
        _add(errors, f"{where}.options", f"Trường kiểu '{kind}' không có danh sách lựa chọn.")
        return
    if not isinstance(options, list):
        _add(errors, f"{where}.options", "Danh sách lựa chọn phải là một mảng.")
        return
    seen: set[str] = set()
    for index, option in enumerate(options):
        if not (
            isinstance(option, dict)
            and str(option.get("value") or "").strip()
            and str(option.get("label") or "").strip()
        ):
            _add(errors, f"{where}.options.{index}", "Lựa chọn phải có 'value' và 'label'.")
            continue
        if option["value"] in seen:
            _add(
                errors,
                f"{where}.options.{index}",
                f"Giá trị lựa chọn '{option['value']}' bị trùng.",
            )
        seen.add(option["value"])


def _field_errors(field: Any, where: str, errors: Errors, today: dt.date) -> None:
    if not isinstance(field, dict):
        _add(errors, where, "Mỗi trường phải là một đối tượng.")
        return
    unknown = sorted(set(field) - KNOWN_KEYS)
    if unknown:
        _add(errors, where, "Thuộc tính không được hỗ trợ: " + ", ".join(unknown) + ".")
    name = field.get("name")
    if not (isinstance(name, str) and NAME_RE.match(name)):
        _add(errors, f"{where}.name", "Tên trường gồm chữ thường, số và '_', bắt đầu bằng chữ.")
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        _add(
            errors,
            f"{where}.type",
            f"Kiểu trường '{kind}' không được hỗ trợ; dùng một trong: {', '.join(FIELD_TYPES)}.",
        )
        return
    if not str(field.get("label") or "").strip():
        _add(errors, f"{where}.label", "Nhãn trường là bắt buộc.")
    if "required" in field and not isinstance(field["required"], bool):
        _add(errors, f"{where}.required", "'required' phải là true hoặc false.")
    _bounds_errors(field, where, errors, today)
    _options_errors(field, where, errors)
    pattern = field.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            _add(errors, f"{where}.pattern", "Biểu thức chính quy (pattern) không hợp lệ.")
    prefill = field.get("prefill")
    if prefill is not None:
        if prefill not in PREFILL_FIELDS:
            _add(
                errors,
                f"{where}.prefill",
                f"Trường hồ sơ '{prefill}' không tồn tại; "
                f"dùng một trong: {', '.join(PREFILL_FIELDS)}.",
            )
        elif kind not in PREFILL_TYPES[prefill]:
            _add(
                errors, f"{where}.prefill", f"'{prefill}' không điền được vào trường kiểu '{kind}'."
            )


def validate_eform(schema: Any, where: str = "eform", today: dt.date | None = None) -> Errors:
    """Field-level errors of an e-form schema, keyed by path (``eform.fields.2.options``);
    ``"today"`` in date bounds is ``today`` (default: today in Vietnam, not the server's date).
    """
    today = today or today_in_vietnam()
    errors: Errors = {}
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        _add(errors, where, "Biểu mẫu điện tử phải có danh sách 'fields'.")
        return errors
    if not schema["fields"]:
        _add(errors, f"{where}.fields", "Biểu mẫu điện tử phải có ít nhất một trường.")
    names: set[str] = set()
    for index, field in enumerate(schema["fields"]):
        path = f"{where}.fields.{index}"
        _field_errors(field, path, errors, today)
        name = field.get("name") if isinstance(field, dict) else None
        if isinstance(name, str):
            if name in names:
                _add(errors, f"{path}.name", f"Tên trường '{name}' bị trùng.")
            names.add(name)
    return errors
