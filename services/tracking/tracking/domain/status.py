"""Dossier statuses as the national portal numbers them (ARCHITECTURE.md § Dossier lifecycle),
from the shared vocabulary, with what tracking adds: the status an event implies.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from vocabulary.statuses import ENDED_WITHOUT_RESULT, UNFINISHED, WITH_RESULT, Status


class StatusInfo(NamedTuple):
    name: str
    code: int
    label: str


STATUSES: dict[str, StatusInfo] = {s.value: StatusInfo(s.value, s.code, s.label) for s in Status}
BY_CODE: dict[int, StatusInfo] = {info.code: info for info in STATUSES.values()}

# Received and not yet ended (submitted, or the processing clock runs or is paused).
OPEN_STATUSES = frozenset(str(s) for s in UNFINISHED)
# Ended without a result.
CLOSED_STATUSES = frozenset(str(s) for s in ENDED_WITHOUT_RESULT)
# A result exists.
DONE_STATUSES = frozenset(str(s) for s in WITH_RESULT)

# Used only when an event's data carries no usable status (older or foreign producers).
STATUS_BY_EVENT_TYPE: dict[str, str] = {
    "dossier.submitted": "submitted",
    "dossier.accepted": "accepted",
    "dossier.not_accepted": "not_accepted",
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
