"""Dossier statuses as the national portal numbers them (ARCHITECTURE.md § Dossier lifecycle)."""
from __future__ import annotations

from typing import Any, NamedTuple


class StatusInfo(NamedTuple):
    name: str
    code: int
    label: str


STATUSES: dict[str, StatusInfo] = {info.name: info for info in (
    StatusInfo("draft", 0, "Đang soạn"),
    StatusInfo("submitted", 1, "Mới đăng ký"),
    StatusInfo("accepted", 2, "Được tiếp nhận"),
    StatusInfo("not_accepted", 3, "Không được tiếp nhận"),
    StatusInfo("processing", 4, "Đang xử lý"),
    StatusInfo("supplement_requested", 5, "Yêu cầu bổ sung giấy tờ"),
    StatusInfo("payment_requested", 6, "Yêu cầu thực hiện nghĩa vụ tài chính"),
    StatusInfo("withdrawn", 7, "Công dân yêu cầu rút hồ sơ"),
    StatusInfo("stopped", 8, "Dừng xử lý"),
    StatusInfo("completed", 9, "Đã xử lý xong"),
    StatusInfo("returned", 10, "Đã trả kết quả"),
)}
BY_CODE: dict[int, StatusInfo] = {info.code: info for info in STATUSES.values()}

# The processing clock runs (or is paused) and the appointment date can pass.
OPEN_STATUSES = frozenset(
    {"submitted", "accepted", "processing", "supplement_requested", "payment_requested"})
# Ended without a result.
CLOSED_STATUSES = frozenset({"not_accepted", "withdrawn", "stopped"})
# A result exists.
DONE_STATUSES = frozenset({"completed", "returned"})

# Used only when an event's data carries no usable status (older or foreign producers).
STATUS_BY_EVENT_TYPE: dict[str, str] = {
    "dossier.submitted": "submitted",
    "dossier.accepted": "accepted",
    "dossier.not_accepted": "not_accepted",
    "dossier.processing": "processing",
    "dossier.processing_started": "processing",
    "dossier.supplement_requested": "supplement_requested",
    "dossier.payment_requested": "payment_requested",
    "dossier.payment_recorded": "processing",
    "dossier.withdrawn": "withdrawn",
    "dossier.stopped": "stopped",
    "dossier.completed": "completed",
    "dossier.returned": "returned",
}

# What a timeline entry says when the event is more than its status (or has none).
EVENT_LABELS: dict[str, str] = {
    "dossier.submitted": "Nộp hồ sơ trực tuyến",
    "dossier.supplemented": "Công dân nộp bổ sung giấy tờ",
    "dossier.supplement_changed": "Công dân cập nhật hồ sơ theo yêu cầu bổ sung",
    "dossier.resubmitted": "Công dân nộp bổ sung giấy tờ",
    "dossier.payment_recorded": "Đã ghi nhận thực hiện nghĩa vụ tài chính",
    "dossier.extended": "Gia hạn ngày hẹn trả kết quả",
}


def event_label(event_type: str | None, status: StatusInfo | None) -> str | None:
    return EVENT_LABELS.get(str(event_type)) or (status.label if status else None)


def status_of_event(event: dict[str, Any]) -> StatusInfo | None:
    """The status a ``dossier.*`` event leaves the dossier in, or ``None`` if it says nothing.

    ``data.status`` (name) wins, then ``data.status_code``, then the event type; events such
    as ``dossier.extended`` or ``dossier.resubmitted`` without a status change nothing.
    """
    data = event.get("data") or {}
    name = data.get("status")
    if isinstance(name, str) and name in STATUSES:
        return STATUSES[name]
    code = data.get("status_code")
    if isinstance(code, int) and not isinstance(code, bool) and code in BY_CODE:
        return BY_CODE[code]
    fallback = STATUS_BY_EVENT_TYPE.get(str(event.get("type")))
    return STATUSES[fallback] if fallback else None
