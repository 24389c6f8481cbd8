"""The dossier state machine as one table: action → who, from where, to where, with what.

`to_status=None` means "back to the status the dossier had before the supplement request"
(the officer may ask for more documents at reception or during processing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IllegalTransition, InvalidInput, NotPermitted
from .status import Status

CITIZEN = "citizen"
OFFICER = "officer"

_RUNNING = frozenset({Status.ACCEPTED, Status.PROCESSING})
_OPEN_AFTER_SUBMIT = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.PAYMENT_REQUESTED,
    }
)


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: frozenset[Status]
    to_status: Status | None
    role: str
    required: tuple[str, ...] = ()
    event_type: str = ""
    label: str = ""


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({Status.DRAFT}), Status.SUBMITTED, CITIZEN,
                   (), "dossier.submitted", "nộp hồ sơ"),
        Transition("resubmit", frozenset({Status.SUPPLEMENT_REQUESTED}), None, CITIZEN,
                   (), "dossier.supplemented", "nộp bổ sung hồ sơ"),
        Transition("withdraw", _OPEN_AFTER_SUBMIT, Status.WITHDRAWN, CITIZEN,
                   (), "dossier.withdrawn", "rút hồ sơ"),
        Transition("accept", frozenset({Status.SUBMITTED}), Status.ACCEPTED, OFFICER,
                   (), "dossier.accepted", "tiếp nhận hồ sơ"),
        Transition("not_accept", frozenset({Status.SUBMITTED}), Status.NOT_ACCEPTED, OFFICER,
                   ("reason",), "dossier.not_accepted", "từ chối tiếp nhận hồ sơ"),
        Transition("start_processing", frozenset({Status.ACCEPTED}), Status.PROCESSING, OFFICER,
                   (), "dossier.processing_started", "bắt đầu xử lý hồ sơ"),
        Transition("request_supplement", frozenset({Status.SUBMITTED}) | _RUNNING,
                   Status.SUPPLEMENT_REQUESTED, OFFICER, ("reason", "missing_items"),
                   "dossier.supplement_requested", "yêu cầu bổ sung giấy tờ"),
        Transition("request_payment", _RUNNING, Status.PAYMENT_REQUESTED, OFFICER,
                   ("amount",), "dossier.payment_requested",
                   "yêu cầu thực hiện nghĩa vụ tài chính"),
        Transition("record_payment", frozenset({Status.PAYMENT_REQUESTED}), Status.PROCESSING,
                   OFFICER, ("receipt_number",), "dossier.payment_recorded",
                   "ghi nhận đã nộp phí, lệ phí"),
        Transition("stop", _OPEN_AFTER_SUBMIT - {Status.SUBMITTED}, Status.STOPPED, OFFICER,
                   ("reason",), "dossier.stopped", "dừng xử lý hồ sơ"),
        Transition("complete", frozenset({Status.PROCESSING}), Status.COMPLETED, OFFICER,
                   ("result",), "dossier.completed", "hoàn thành xử lý hồ sơ"),
        Transition("return", frozenset({Status.COMPLETED}), Status.RETURNED, OFFICER,
                   ("return_method",), "dossier.returned", "trả kết quả"),
        # Extending keeps the status; it moves the appointment date and yields an apology letter.
        Transition("extend", _RUNNING | {Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED},
                   None, OFFICER, ("new_due_at", "reason"), "dossier.extended",
                   "gia hạn ngày hẹn trả kết quả"),
    )
}

OFFICER_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.role == OFFICER)
CITIZEN_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.role == CITIZEN)

_REQUIRED_MESSAGES = {
    "reason": "Vui lòng nêu lý do.",
    "missing_items": "Vui lòng liệt kê giấy tờ cần bổ sung.",
    "amount": "Vui lòng nhập số tiền phải nộp.",
    "receipt_number": "Vui lòng nhập số biên lai thu phí, lệ phí.",
    "result": "Vui lòng nhập kết quả giải quyết.",
    "return_method": "Vui lòng chọn hình thức trả kết quả.",
    "new_due_at": "Vui lòng chọn ngày hẹn trả mới.",
}


def get_transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise InvalidInput(
            f"Thao tác '{action}' không tồn tại.", {"action": ["Thao tác không hợp lệ."]}
        ) from None


def check_transition(action: str, role: str, status: Status, inputs: dict) -> Transition:
    """Raise unless `role` may perform `action` on a dossier in `status` with `inputs`."""
    transition = get_transition(action)
    if transition.role != role:
        raise NotPermitted(f"Bạn không có quyền {transition.label}.")
    if status not in transition.from_statuses:
        raise IllegalTransition(
            f"Không thể {transition.label} khi hồ sơ đang ở trạng thái "
            f"“{status.label}”."
        )
    missing = {
        name: [_REQUIRED_MESSAGES[name]]
        for name in transition.required
        if inputs.get(name) in (None, "", [], ())
    }
    if missing:
        raise InvalidInput(f"Thiếu thông tin để {transition.label}.", missing)
    return transition
