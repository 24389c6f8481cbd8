"""Procedures (thủ tục hành chính): definition rules and versioning.

A procedure is a series of versions ``1..n``. A version is a ``draft`` until it is published;
publishing freezes it for good. Editing a procedure whose latest version is published starts
draft ``n+1`` (a copy with the changes); editing a draft changes it in place. Every published
version stays readable.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from catalog.domain.agency import agency_code_errors
from catalog.domain.eform import validate_eform
from catalog.domain.errors import Conflict, InvalidInput

PROCEDURE_CODE_RE = re.compile(r"^[1-3]\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[GH]\d{2})?$")
LEVELS = (1, 2, 3, 4)
ONLINE_MODES = ("toan_trinh", "mot_phan")
CHANNELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "buu_chinh": "Dịch vụ bưu chính"}
FILE_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "xml", "zip")
MAX_FILE_SIZE_MB = 50
COMPONENT_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

Errors = dict[str, list[str]]


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class DefinitionInvalid(InvalidInput):
    def __init__(self, errors: Errors) -> None:
        super().__init__(errors, "Dữ liệu thủ tục không hợp lệ.")


class AlreadyPublished(Conflict):
    """A published version is frozen: it cannot be published again nor changed."""


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _text_list(definition: dict, key: str, errors: Errors, *, required: bool) -> None:
    value = definition.get(key)
    if value is None or value == []:
        if required:
            _add(errors, key, "Không được để trống.")
        return
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        _add(errors, key, "Phải là danh sách các chuỗi không rỗng.")


def _methods_errors(definition: dict, errors: Errors) -> None:
    methods = definition.get("methods")
    if not isinstance(methods, list) or not methods:
        _add(errors, "methods", "Phải có ít nhất một cách thức thực hiện.")
        return
    for index, method in enumerate(methods):
        where = f"methods.{index}"
        if not isinstance(method, dict):
            _add(errors, where, "Cách thức thực hiện phải là một đối tượng.")
            continue
        if method.get("channel") not in CHANNELS:
            _add(
                errors,
                f"{where}.channel",
                "Hình thức nộp phải là một trong: " + ", ".join(CHANNELS) + ".",
            )
        days = method.get("processing_days")
        if days is None:
            if not str(method.get("processing_time_text") or "").strip():
                _add(
                    errors,
                    f"{where}.processing_days",
                    "Cần thời hạn giải quyết (ngày làm việc) hoặc mô tả.",
                )
        elif not isinstance(days, int | float) or isinstance(days, bool) or days < 0:
            _add(
                errors,
                f"{where}.processing_days",
                "Thời hạn giải quyết phải là số ngày làm việc không âm.",
            )
        fee = method.get("fee_vnd")
        if fee is not None and (not isinstance(fee, int) or isinstance(fee, bool) or fee < 0):
            _add(errors, f"{where}.fee_vnd", "Phí, lệ phí phải là số đồng không âm.")


def _components_errors(definition: dict, errors: Errors) -> None:
    components = definition.get("components")
    if components is None:
        return
    if not isinstance(components, list):
        _add(errors, "components", "Thành phần hồ sơ phải là một danh sách.")
        return
    codes: set[str] = set()
    for index, component in enumerate(components):
        where = f"components.{index}"
        if not isinstance(component, dict):
            _add(errors, where, "Thành phần hồ sơ phải là một đối tượng.")
            continue
        if not str(component.get("name") or "").strip():
            _add(errors, f"{where}.name", "Tên giấy tờ là bắt buộc.")
        component_code = component.get("code")
        if not (isinstance(component_code, str) and COMPONENT_CODE_RE.match(component_code)):
            _add(errors, f"{where}.code", "Mã thành phần gồm chữ thường, số, '-' hoặc '_'.")
        elif component_code in codes:
            _add(errors, f"{where}.code", f"Mã thành phần '{component_code}' bị trùng.")
        else:
            codes.add(component_code)
        if not isinstance(component.get("required"), bool):
            _add(errors, f"{where}.required", "'required' phải là true hoặc false.")
        types = component.get("file_types") or []
        bad = [t for t in types if t not in FILE_TYPES]
        if bad:
            _add(
                errors,
                f"{where}.file_types",
                "Định dạng tệp không được hỗ trợ: " + ", ".join(map(str, bad)) + ".",
            )
        size = component.get("max_size_mb")
        if size is not None and (
            not isinstance(size, int | float)
            or isinstance(size, bool)
            or not 0 < size <= MAX_FILE_SIZE_MB
        ):
            _add(
                errors,
                f"{where}.max_size_mb",
                f"Dung lượng tối đa phải trong khoảng (0, {MAX_FILE_SIZE_MB}] MB.",
            )


def validate_definition(definition: dict) -> Errors:
    """Field-level errors of a procedure definition, keyed by path. Empty when valid."""
    errors: Errors = {}
    code = definition.get("code")
    if not (isinstance(code, str) and PROCEDURE_CODE_RE.match(code)):
        _add(
            errors,
            "code",
            "Mã thủ tục theo định dạng quốc gia, ví dụ 1.001193 hoặc 1.000494.000.00.00.H29.",
        )
    for key, label in (("name", "Tên thủ tục"), ("field", "Lĩnh vực")):
        if not str(definition.get(key) or "").strip():
            _add(errors, key, f"{label} là bắt buộc.")
    level = definition.get("level")
    if level not in LEVELS or isinstance(level, bool):
        _add(errors, "level", "Mức độ phải là 1, 2, 3 hoặc 4.")
    mode = definition.get("online_mode")
    if mode not in ONLINE_MODES:
        _add(errors, "online_mode", "Hình thức trực tuyến phải là toan_trinh hoặc mot_phan.")
    elif level in LEVELS and (level == 4) != (mode == "toan_trinh"):
        _add(errors, "online_mode", "Chỉ thủ tục mức độ 4 là dịch vụ công trực tuyến toàn trình.")
    for key in ("applicants", "steps"):
        _text_list(definition, key, errors, required=True)
    for key in ("legal_basis", "keywords", "conditions", "notes"):
        _text_list(definition, key, errors, required=False)
    _methods_errors(definition, errors)
    _components_errors(definition, errors)
    agencies = definition.get("agencies")
    if not isinstance(agencies, list) or not agencies:
        _add(errors, "agencies", "Phải có ít nhất một cơ quan thực hiện.")
    else:
        for index, agency in enumerate(agencies):
            for message in agency_code_errors(agency):
                _add(errors, f"agencies.{index}", message)
    if level in (3, 4):
        if definition.get("eform") is None:
            _add(errors, "eform", "Thủ tục mức độ 3, 4 phải có biểu mẫu điện tử.")
        else:
            errors.update(validate_eform(definition["eform"]))
        channels = {
            m.get("channel") for m in definition.get("methods") or [] if isinstance(m, dict)
        }
        if "truc_tuyen" not in channels:
            _add(errors, "methods", "Thủ tục mức độ 3, 4 phải có cách thức nộp trực tuyến.")
    elif definition.get("eform") is not None:
        errors.update(validate_eform(definition["eform"]))
    if level == 2 and not any(
        isinstance(c, dict) and c.get("template") for c in definition.get("components") or []
    ):
        _add(
            errors, "components", "Thủ tục mức độ 2 phải có ít nhất một mẫu đơn, tờ khai để tải về."
        )
    return errors


def processing_days(definition: dict[str, Any]) -> float | None:
    """The processing time a dossier submitted online gets (else the longest stated)."""
    methods = [m for m in definition.get("methods") or [] if m.get("processing_days") is not None]
    online = [m["processing_days"] for m in methods if m["channel"] == "truc_tuyen"]
    if online:
        return max(online)
    return max((m["processing_days"] for m in methods), default=None)


def check_definition(definition: dict) -> None:
    errors = validate_definition(definition)
    if errors:
        raise DefinitionInvalid(errors)


@dataclass(frozen=True)
class ProcedurePublished:
    """Event: a version was frozen; carries the full definition."""

    code: str
    version: int
    published_at: dt.datetime
    definition: dict[str, Any]


@dataclass
class ProcedureVersion:
    code: str
    version: int
    status: VersionStatus
    definition: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None = None
    events: list[ProcedurePublished] = field(default_factory=list, repr=False, compare=False)

    @property
    def is_published(self) -> bool:
        return self.status is VersionStatus.PUBLISHED

    def publish(self, now: dt.datetime) -> ProcedurePublished:
        """Freeze this version and record the event that tells other services."""
        if self.is_published:
            raise AlreadyPublished(
                f"Phiên bản {self.version} của thủ tục {self.code} đã được công bố."
            )
        check_definition(self.definition)
        self.status = VersionStatus.PUBLISHED
        self.published_at = now
        self.updated_at = now
        event = ProcedurePublished(self.code, self.version, now, copy.deepcopy(self.definition))
        self.events.append(event)
        return event


def draft_for_edit(
    latest: ProcedureVersion | None, definition: dict, now: dt.datetime
) -> ProcedureVersion:
    """The draft that holds ``definition``: a new procedure, the latest draft changed in place,
    or draft ``n+1`` when the latest version is published (which is never modified)."""
    check_definition(definition)
    if latest is not None and definition["code"] != latest.code:
        raise DefinitionInvalid({"code": ["Không được đổi mã thủ tục."]})
    if latest is None:
        return ProcedureVersion(
            definition["code"], 1, VersionStatus.DRAFT, copy.deepcopy(definition), now, now
        )
    if latest.is_published:
        return ProcedureVersion(
            latest.code,
            latest.version + 1,
            VersionStatus.DRAFT,
            copy.deepcopy(definition),
            now,
            now,
        )
    return ProcedureVersion(
        latest.code,
        latest.version,
        VersionStatus.DRAFT,
        copy.deepcopy(definition),
        latest.created_at,
        now,
    )
