"""Dossier statuses: the ten national-portal codes plus draft."""

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
        return _LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


_CODES = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.ACCEPTED: 2,
    Status.NOT_ACCEPTED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.PAYMENT_REQUESTED: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.COMPLETED: 9,
    Status.RETURNED: 10,
}

_LABELS = {
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

FINAL_STATUSES = frozenset(
    {Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED}
)

# Statuses in which the processing clock runs (or is paused) and an appointment date exists.
OPEN_STATUSES = frozenset(
    {
        Status.ACCEPTED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.PAYMENT_REQUESTED,
    }
)
