"""The dossier aggregate: its state, the rules of its lifecycle and the events it causes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from . import binding, supplement
from .calendar import PausePolicy, WorkingCalendar
from .eform import applicant_values
from .errors import IllegalTransition, InvalidInput, NotPermitted
from .status import Status
from .transitions import CITIZEN, OFFICER, Transition, check_transition

RETURN_METHODS = {"counter": "Nhận tại bộ phận một cửa", "postal": "Nhận qua dịch vụ bưu chính"}


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with Z: the form nested data and event payloads use."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Actor:
    id: str
    role: str
    agency: str | None = None
    province: str | None = None
    name: str | None = None


@dataclass
class Dossier:
    id: str
    owner_id: str
    procedure: dict[str, Any]  # snapshot of the procedure version filled against
    agency: dict[str, Any]  # {"code", "name"}
    tenant: str  # province code
    created_at: datetime
    updated_at: datetime
    status: Status = Status.DRAFT
    version: int = 0
    applicant: dict[str, Any] = field(default_factory=dict)  # who the dossier is for
    # A proxy filing's filer: the verified identity of the account holder (domain/binding.py)
    filer: dict[str, Any] = field(default_factory=dict)
    form_data: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    code: str | None = None
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    due_at: datetime | None = None
    paused_at: datetime | None = None
    resume_status: Status | None = None
    finished_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)  # payment, supplement, result, return
    extensions: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    pending_events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    # ---- access ------------------------------------------------------------------------
    def is_visible_to(self, actor: Actor) -> bool:
        if actor.role == CITIZEN:
            return actor.id == self.owner_id
        if actor.role == OFFICER:
            return self.status is not Status.DRAFT and actor.agency == self.agency["code"]
        return False

    def ensure_actor(self, actor: Actor, role: str) -> None:
        if actor.role != role:
            raise NotPermitted("Bạn không có quyền thực hiện thao tác này.")
        if not self.is_visible_to(actor):
            raise NotPermitted("Bạn không có quyền thao tác trên hồ sơ này.")

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and not self.status.is_final \
            and self.status is not Status.COMPLETED and now > self.due_at

    @property
    def attachment_bytes(self) -> int:
        return sum(a["size"] for a in self.attachments)

    @property
    def effective_applicant(self) -> dict[str, Any]:
        """The applicant details given explicitly, completed from the e-form's fields."""
        from_form = applicant_values(self.procedure.get("eform") or {}, self.form_data)
        return {**from_form, **{k: v for k, v in self.applicant.items() if v}}

    # ---- citizen editing ---------------------------------------------------------------
    def update_draft(self, *, form_data: dict | None, applicant: dict | None,
                     now: datetime) -> None:
        if not self.is_editable:
            raise IllegalTransition(
                f"Không thể sửa hồ sơ khi đang ở trạng thái “{self.status.label}”.")
        if form_data is not None:
            self.form_data = form_data
        if applicant is not None:
            self.applicant = applicant
        self.updated_at = now

    def add_attachment(self, attachment: dict[str, Any], now: datetime) -> None:
        self.attachments.append(attachment)
        self.updated_at = now

    @property
    def components(self) -> list[dict[str, Any]]:
        """The procedure's components (+ the authorisation of a proxy filing)."""
        return binding.components(self.procedure.get("components", []), bool(self.filer))

    def components_missing(self) -> list[dict[str, Any]]:
        present = {a["component"] for a in self.attachments}
        return [c for c in self.components if c.get("required") and c["code"] not in present]

    # ---- lifecycle ---------------------------------------------------------------------
    def submit(self, actor: Actor, code: str, now: datetime) -> None:
        """Draft → submitted, with a code from the agency's daily counter."""
        self.ensure_actor(actor, CITIZEN)
        t = check_transition("submit", actor.role, self.status, {})
        self.applicant = self.effective_applicant  # frozen as received
        self.code = code
        self.submitted_at = now
        self._move(t, actor, now, Status.SUBMITTED, {})

    def perform(
        self,
        action: str,
        actor: Actor,
        inputs: dict[str, Any],
        now: datetime,
        calendar: WorkingCalendar,
        pause_policy: PausePolicy,
    ) -> None:
        """Apply any transition except submit (which needs a dossier code)."""
        if action == "submit":
            raise InvalidInput("Dùng chức năng nộp hồ sơ để nộp.", {"action": ["submit"]})
        if not self.is_visible_to(actor):
            raise NotPermitted("Bạn không có quyền thao tác trên hồ sơ này.")
        t = check_transition(action, actor.role, self.status, inputs)
        apply = getattr(self, f"_on_{action}")
        to_status, extra = apply(inputs, now, calendar, pause_policy)
        if _text(inputs.get("note")):
            extra = {**extra, "note": _text(inputs["note"])}
        self._move(t, actor, now, to_status, extra)

    def _on_withdraw(self, inputs, now, calendar, policy):
        self.finished_at = now
        return Status.WITHDRAWN, {"reason": _text(inputs.get("reason"))}

    def _on_accept(self, inputs, now, calendar, policy):
        days = self.procedure.get("processing_days")
        if not days or days <= 0:
            raise InvalidInput("Thủ tục chưa có thời hạn giải quyết, không thể tính ngày hẹn.")
        self.accepted_at = now
        self.due_at = calendar.appointment(now, days)
        return Status.ACCEPTED, {}

    def _on_not_accept(self, inputs, now, calendar, policy):
        self.finished_at = now
        return Status.NOT_ACCEPTED, {"reason": _text(inputs["reason"])}

    def _on_start_processing(self, inputs, now, calendar, policy):
        return Status.PROCESSING, {}

    def _on_request_supplement(self, inputs, now, calendar, policy):
        items = inputs["missing_items"]
        if isinstance(items, str):
            items = [items]
        items = [_text(i) for i in items if _text(i)]
        if not items:
            raise InvalidInput("Thiếu thông tin.",
                               {"missing_items": ["Vui lòng liệt kê giấy tờ cần bổ sung."]})
        fields, documents = supplement.scope_of_request(
            self, inputs.get("fields"), inputs.get("documents"))
        self.paused_at = now
        self.resume_status = self.status
        self.details["supplement"] = {
            "missing_items": items, "fields": fields, "documents": documents,
            "reason": _text(inputs["reason"]), "requested_at": iso(now)}
        return Status.SUPPLEMENT_REQUESTED, {"missing_items": items, "fields": fields,
                                             "documents": documents,
                                             "reason": _text(inputs["reason"])}

    def _on_resubmit(self, inputs, now, calendar, policy):
        to_status = self.resume_status or Status.SUBMITTED
        previous_due = self.due_at
        if self.due_at is not None and self.paused_at is not None:
            self.due_at = calendar.after_supplement(
                policy, due_at=self.due_at, paused_at=self.paused_at, resumed_at=now,
                processing_days=self.procedure["processing_days"])
        self.details.setdefault("supplement", {})["resubmitted_at"] = iso(now)
        self.paused_at = None
        self.resume_status = None
        return to_status, {"previous_due_at": iso(previous_due), "pause_policy": policy.value,
                           **supplement.round_summary(self)}

    def _on_request_payment(self, inputs, now, calendar, policy):
        amount = _positive_int(inputs["amount"], "amount",
                               "Số tiền phải là số nguyên dương (đồng).")
        self.details["payment"] = {"amount": amount, "requested_at": iso(now),
                                   "note": _text(inputs.get("note"))}
        return Status.PAYMENT_REQUESTED, {"amount": amount}

    def _on_record_payment(self, inputs, now, calendar, policy):
        payment = self.details.setdefault("payment", {})
        payment.update({"receipt_number": _text(inputs["receipt_number"]), "paid_at": iso(now)})
        return Status.PROCESSING, {"receipt_number": payment["receipt_number"],
                                   "amount": payment.get("amount")}

    def _on_stop(self, inputs, now, calendar, policy):
        self.finished_at = now
        return Status.STOPPED, {"reason": _text(inputs["reason"])}

    def _on_complete(self, inputs, now, calendar, policy):
        file_id = inputs.get("result_file_id")
        if file_id and not any(a["id"] == file_id and a["component"] == "result"
                               for a in self.attachments):
            raise InvalidInput("Tệp kết quả không tồn tại.",
                               {"result_file_id": ["Không tìm thấy tệp kết quả đã tải lên."]})
        self.details["result"] = {"text": _text(inputs["result"]), "file_id": file_id,
                                  "completed_at": iso(now)}
        return Status.COMPLETED, {"result": _text(inputs["result"]), "completed_at": iso(now),
                                  "on_time": self.due_at is None or now <= self.due_at}

    def _on_return(self, inputs, now, calendar, policy):
        method = inputs["return_method"]
        if method not in RETURN_METHODS:
            raise InvalidInput("Hình thức trả kết quả không hợp lệ.",
                               {"return_method": [
                                   "Chọn counter (tại quầy) hoặc postal (bưu chính)."]})
        tracking = _text(inputs.get("tracking_number"))
        if method == "postal" and not tracking:
            raise InvalidInput("Thiếu mã vận đơn.",
                               {"tracking_number": ["Vui lòng nhập mã vận đơn bưu chính."]})
        self.finished_at = now
        self.details["return"] = {"method": method, "tracking_number": tracking,
                                  "returned_at": iso(now)}
        return Status.RETURNED, {"return_method": method, "tracking_number": tracking,
                                 "returned_at": iso(now)}

    def _on_extend(self, inputs, now, calendar, policy):
        new_due = _new_due(inputs["new_due_at"], calendar)
        if self.due_at is None or new_due <= self.due_at:
            raise InvalidInput("Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                               {"new_due_at": ["Ngày hẹn mới phải sau ngày hẹn hiện tại."]})
        if not calendar.is_working_day(calendar.local(new_due).date()):
            raise InvalidInput("Ngày hẹn mới phải là ngày làm việc.",
                               {"new_due_at": ["Ngày hẹn mới rơi vào ngày nghỉ."]})
        extension = {"previous_due_at": iso(self.due_at), "new_due_at": iso(new_due),
                     "reason": _text(inputs["reason"]), "at": iso(now),
                     "seq": len(self.extensions) + 1}
        self.extensions.append(extension)
        self.due_at = new_due
        return self.status, {"reason": extension["reason"],
                             "previous_due_at": extension["previous_due_at"],
                             "new_due_at": extension["new_due_at"],
                             "extension_seq": extension["seq"]}

    def _move(self, t: Transition, actor: Actor, now: datetime, to_status: Status,
              extra: dict[str, Any]) -> None:
        from_status = self.status
        self.status = to_status
        self.updated_at = now
        note = _text(extra.get("reason")) or _text(extra.get("note")) or None
        self.history.append({
            "seq": len(self.history) + 1,
            "action": t.action,
            "from": from_status.value,
            "to": to_status.value,
            "actor_id": actor.id,
            "actor_role": actor.role,
            "at": iso(now),
            "note": note,
            "details": {k: v for k, v in extra.items()
                        if k not in ("reason", "note") and v is not None},
        })
        self.pending_events.append((t.event_type, self.event_data(t.action, now, extra)))

    def event_data(self, action: str, now: datetime, extra: dict[str, Any]) -> dict[str, Any]:
        """What tracking and notify need to know, without reading our database."""
        data = {
            "dossier_id": self.id,
            "code": self.code,
            "action": action,
            "status": self.status.value,
            "status_code": self.status.code,
            "status_label": self.status.label,
            "procedure_code": self.procedure.get("code"),
            "procedure_name": self.procedure.get("name"),
            "procedure_version": self.procedure.get("version"),
            "applicant_id": self.owner_id,
            "applicant_name": self.effective_applicant.get("full_name"),
            "applicant_cccd": self.effective_applicant.get("cccd"),
            "proxy_filing": bool(self.filer),
            "agency_code": self.agency.get("code"),
            "agency_name": self.agency.get("name"),
            "province": self.tenant,
            "submitted_at": iso(self.submitted_at),
            "received_at": iso(self.submitted_at),
            "accepted_at": iso(self.accepted_at),
            "due_at": iso(self.due_at),
            "occurred_at": iso(now),
            "reason": _text(extra.get("reason")) or None,
        }
        data.update({k: v for k, v in extra.items() if k != "reason"})
        return data

    def collect_events(self) -> list[tuple[str, dict[str, Any]]]:
        events, self.pending_events = self.pending_events, []
        return events


def submission_problems(dossier: Dossier) -> dict[str, list[str]]:
    """Missing applicant details and required documents (form fields are checked apart)."""
    problems: dict[str, list[str]] = {}
    applicant = dossier.effective_applicant
    if not applicant.get("full_name"):
        problems["applicant.full_name"] = ["Vui lòng nhập họ và tên người nộp hồ sơ."]
    if not applicant.get("cccd"):
        problems["applicant.cccd"] = ["Vui lòng nhập số định danh cá nhân của người nộp."]
    for component in dossier.components_missing():
        problems[f"components.{component['code']}"] = [
            f"Vui lòng đính kèm “{component.get('name', component['code'])}”."]
    return problems


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _positive_int(value: Any, name: str, message: str) -> int:
    try:
        number = int(value)
        if number != float(value) or number <= 0:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput(message, {name: [message]}) from None
    return number


def _new_due(value: Any, calendar: WorkingCalendar) -> datetime:
    """Accept a date (due at the end of that working day) or an aware datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, calendar.windows[-1][1], tzinfo=calendar.tz)
    else:
        try:
            text = str(value)
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), calendar.windows[-1][1],
                                          tzinfo=calendar.tz)
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput("Ngày hẹn mới không hợp lệ.",
                               {"new_due_at": ["Ngày hẹn mới không hợp lệ."]}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.tz)
    return moment

