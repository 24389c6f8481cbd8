"""Dossier statuses: the ten national-portal codes plus the citizen's draft (code 0).

The sets below are named for what they mean, so no two places mean different things by one
word: ``CLOCK_RUNNING`` (an appointment date exists and the processing clock runs or is
paused), ``UNFINISHED`` (received and not yet ended: the clock statuses and ``submitted``),
``ENDED_WITHOUT_RESULT``, ``WITH_RESULT`` and ``FINAL`` (no further change).
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    PAYMENT_REQUESTED = "payment_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    COMPLETED = "completed"
    RETURNED = "returned"

    @property
    def code(self) -> int:
        return _CODES[self]

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL


_CODES = {status: code for code, status in enumerate(Status)}

LABELS: dict[str, str] = {
    Status.DRAFT: "Đang soạn",
    Status.SUBMITTED: "Mới đăng ký",
    Status.ACCEPTED: "Được tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.COMPLETED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
BY_CODE: dict[int, Status] = {status.code: status for status in Status}

CLOCK_RUNNING = frozenset({Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
                           Status.PAYMENT_REQUESTED})
UNFINISHED = CLOCK_RUNNING | {Status.SUBMITTED}
ENDED_WITHOUT_RESULT = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED})
WITH_RESULT = frozenset({Status.COMPLETED, Status.RETURNED})
FINAL = ENDED_WITHOUT_RESULT | {Status.RETURNED}


def label_of(name: str | None) -> str:
    """The Vietnamese label of a status name; the name itself when it is not one."""
    return LABELS.get(name or "", name or "")


def parse(value: str | int | None) -> Status | None:
    """A status from its name or its national code; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return BY_CODE.get(value)
    try:
        return Status(value)
    except ValueError:
        return None
