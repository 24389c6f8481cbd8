"""The events notify reacts to: which placeholders each provides and how they are built.

A template may only use the placeholders its event declares here; this is checked when a
template is saved (see ``templates.validate``). Builders are pure: raw event data in, display
strings out. The event fields they read are listed in ``services/notify/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from notify.domain.formatting import (
    format_amount,
    format_date,
    format_list,
    format_moment,
    pick,
)

Builder = Callable[[Mapping[str, Any], "Links"], dict[str, str]]

OTP_REQUESTED = "identity.otp_requested"
USER_REGISTERED = "identity.user_registered"
PROFILE_UPDATED = "identity.profile_updated"
USER_DELETED = "identity.user_deleted"
CONTACT_CHANGED = "identity.contact_changed"
SECURITY_ALERT = "identity.security_alert"
DELIVERY_FAILED = "notify.delivery_failed"

PRIORITY_OTP = 10
PRIORITY_ACCOUNT = 5
PRIORITY_DOSSIER = 1


@dataclass(frozen=True)
class Links:
    """Public addresses used to build links in messages."""

    portal_url: str = "http://127.0.0.1:8080"

    def receipt(self, dossier_id: str) -> str:
        return f"{self.portal_url}/api/submission/dossiers/{dossier_id}/receipt.pdf"

    def tracking(self, code: str) -> str:
        return f"{self.portal_url}/api/tracking/lookup?code={code}"


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    placeholders: frozenset[str]
    build: Builder
    priority: int = PRIORITY_DOSSIER
    # Placeholders whose value must never be stored or logged (replaced by a mask).
    secrets: frozenset[str] = field(default_factory=frozenset)


DOSSIER_PLACEHOLDERS = frozenset(
    {"full_name", "dossier_code", "procedure_name", "agency_name", "tracking_url"}
)

PURPOSE_LABELS = {
    "register": "đăng ký tài khoản",
    "login": "đăng nhập",
    "reset_password": "đặt lại mật khẩu",
    "contact_change": "xác nhận thông tin liên hệ mới",
    "lookup_proof": "xác minh chính chủ khi tra cứu hồ sơ theo số định danh",
    "totp_enable": "bật ứng dụng xác thực",
    "totp_remove": "gỡ ứng dụng xác thực",
    "totp": "xác thực",
}


def _otp(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    seconds = int(pick(data, "expires_in", "ttl_seconds", default=300) or 300)
    purpose = str(pick(data, "purpose", default="login"))
    return {
        "otp_code": str(pick(data, "code", "otp")),
        "expires_minutes": str(max(1, seconds // 60)),
        "purpose_label": PURPOSE_LABELS.get(purpose, "xác thực"),
    }


def _registered(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {
        "full_name": str(pick(data, "full_name", "name")),
        "portal_url": links.portal_url,
    }


CONTACT_LABELS = {"phone": "Số điện thoại", "email": "Địa chỉ email"}


def _contact_changed(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {
        "field_label": CONTACT_LABELS.get(str(pick(data, "field")), "Thông tin liên hệ"),
        "new_destination_masked": str(pick(data, "new_destination_masked")),
        "changed_at": format_moment(pick(data, "changed_at", default=None)),
        "portal_url": links.portal_url,
    }


# identity.security_alert kinds: (title, what happened), in plain Vietnamese for the owner.
SECURITY_ALERTS = {
    "totp_enabled": (
        "Ứng dụng xác thực đã được bật",
        "Tài khoản của bạn vừa được gắn một ứng dụng xác thực mới. Từ nay khi đăng nhập, hệ "
        "thống sẽ hỏi mã từ ứng dụng đó. Các phiên đăng nhập khác đã được đăng xuất.",
    ),
    "totp_removed": (
        "Ứng dụng xác thực đã được gỡ",
        "Ứng dụng xác thực của tài khoản vừa được gỡ. Từ nay mã đăng nhập sẽ được gửi qua tin "
        "nhắn hoặc email. Các phiên đăng nhập khác đã được đăng xuất.",
    ),
    "password_changed": (
        "Mật khẩu đã được thay đổi",
        "Mật khẩu tài khoản của bạn vừa được thay đổi và mọi phiên đăng nhập đã kết thúc.",
    ),
    "account_recovered": (
        "Tài khoản đã được lấy lại bằng cách đặt lại mật khẩu",
        "Mật khẩu tài khoản vừa được đặt lại bằng mã gửi tới số điện thoại hoặc email của bạn. "
        "Ứng dụng xác thực đã được gỡ và mọi phiên đăng nhập đã kết thúc.",
    ),
    "sessions_revoked": (
        "Các phiên đăng nhập đã kết thúc",
        "Mọi phiên đăng nhập của tài khoản vừa được kết thúc.",
    ),
    "second_factor_locked": (
        "Tạm khoá bước xác thực thứ hai",
        "Có nhiều lần nhập sai mã xác thực khi đăng nhập vào tài khoản của bạn, nên bước xác "
        "thực thứ hai đã tạm khoá.",
    ),
    "password_guessing": (
        "Có người đang thử mật khẩu của bạn",
        "Có nhiều lần đăng nhập sai mật khẩu vào tài khoản của bạn.",
    ),
}
OTHER_ALERT = (
    "Thay đổi bảo mật trên tài khoản",
    "Tài khoản của bạn vừa có một thay đổi liên quan đến bảo mật.",
)


def _security_alert(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    title, text = SECURITY_ALERTS.get(str(pick(data, "kind")), OTHER_ALERT)
    return {
        "alert_title": title,
        "alert_text": text,
        "at": format_moment(pick(data, "at", default=None)),
        "portal_url": links.portal_url,
    }


def _dossier(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    code = str(pick(data, "code", "dossier_code"))
    return {
        "full_name": str(pick(data, "applicant.full_name", "applicant_name", "full_name")),
        "dossier_code": code,
        "procedure_name": str(pick(data, "procedure_name", "procedure.name", "procedure_code")),
        "agency_name": str(pick(data, "agency_name", "agency.name", "agency_code")),
        "tracking_url": links.tracking(code),
    }


def _with(extra: Callable[[Mapping[str, Any], Links], dict[str, str]]) -> Builder:
    def build(data: Mapping[str, Any], links: Links) -> dict[str, str]:
        return {**_dossier(data, links), **extra(data, links)}

    return build


def _submitted(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    dossier_id = str(pick(data, "dossier_id", "id"))
    return {
        "receipt_url": str(pick(data, "receipt_url", default=links.receipt(dossier_id))),
        "submitted_at": format_date(pick(data, "submitted_at", "occurred_at")),
    }


def _accepted(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {"appointment_date": format_date(pick(data, "due_at", "appointment_date"))}


def _remark(label: str, value: Any) -> str:
    return f"{label}: {value}." if value not in (None, "") else ""


def _supplement(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    missing = format_list(pick(data, "missing_items", "missing_documents", "missing"))
    return {
        "missing_documents": missing or str(pick(data, "reason", "note")),
        "note": _remark("Ghi chú của cán bộ", pick(data, "reason", "note")) if missing else "",
    }


def _payment(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {
        "amount": format_amount(pick(data, "amount", "fee.amount", "fee")),
        "note": _remark("Ghi chú", pick(data, "note", "payment_note")),
    }


COLLECTION_LABELS = {
    "counter": "nhận trực tiếp tại Bộ phận Một cửa",
    "postal": "nhận qua dịch vụ bưu chính công ích",
}


def _collection(data: Mapping[str, Any], links: Links) -> str:
    method = str(pick(data, "return_method", "delivery_method", "collection.method"))
    label = COLLECTION_LABELS.get(method, "")
    place = str(pick(data, "collection.place", "collection_place", "agency_address"))
    return ", ".join(part for part in (label, place) if part)


def _completed(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {
        "collection_instructions": _collection(data, links) or "nhận trực tiếp tại Bộ phận Một cửa",
        "note": str(pick(data, "note", "result")),
    }


def _returned(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    tracking = str(pick(data, "tracking_number", "postal.tracking_number"))
    return {
        "collection_instructions": _collection(data, links),
        "postal_tracking": f"Mã bưu gửi: {tracking}." if tracking else "",
    }


def _reason(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {"reason": str(pick(data, "reason", "note"))}


def _extended(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {
        "new_appointment_date": format_date(
            pick(data, "new_due_at", "new_appointment_date", "due_at")
        ),
        "reason": str(pick(data, "reason", "note")),
    }


def _nothing(data: Mapping[str, Any], links: Links) -> dict[str, str]:
    return {}


def _dossier_spec(event_type: str, extra: Builder, *names: str) -> EventSpec:
    return EventSpec(event_type, DOSSIER_PLACEHOLDERS | frozenset(names), _with(extra))


EVENT_SPECS: dict[str, EventSpec] = {
    spec.event_type: spec
    for spec in (
        EventSpec(
            OTP_REQUESTED,
            frozenset({"otp_code", "expires_minutes", "purpose_label"}),
            _otp,
            priority=PRIORITY_OTP,
            secrets=frozenset({"otp_code"}),
        ),
        EventSpec(
            USER_REGISTERED,
            frozenset({"full_name", "portal_url"}),
            _registered,
            priority=PRIORITY_ACCOUNT,
        ),
        EventSpec(
            CONTACT_CHANGED,
            frozenset(
                {"full_name", "field_label", "new_destination_masked", "changed_at", "portal_url"}
            ),
            _contact_changed,
            priority=PRIORITY_ACCOUNT,
        ),
        EventSpec(
            SECURITY_ALERT,
            frozenset({"full_name", "alert_title", "alert_text", "at", "portal_url"}),
            _security_alert,
            priority=PRIORITY_ACCOUNT,
        ),
        _dossier_spec("dossier.submitted", _submitted, "receipt_url", "submitted_at"),
        _dossier_spec("dossier.accepted", _accepted, "appointment_date"),
        _dossier_spec("dossier.supplement_requested", _supplement, "missing_documents", "note"),
        _dossier_spec("dossier.payment_requested", _payment, "amount", "note"),
        _dossier_spec("dossier.completed", _completed, "collection_instructions", "note"),
        _dossier_spec("dossier.returned", _returned, "collection_instructions", "postal_tracking"),
        _dossier_spec("dossier.not_accepted", _reason, "reason"),
        _dossier_spec("dossier.stopped", _reason, "reason"),
        _dossier_spec("dossier.extended", _extended, "new_appointment_date", "reason"),
        _dossier_spec("dossier.withdrawn", _nothing),
    )
}


def spec_for(event_type: str) -> EventSpec | None:
    return EVENT_SPECS.get(event_type)


def placeholder_values(event_type: str, data: Mapping[str, Any], links: Links) -> dict[str, str]:
    """Every placeholder the event declares, built from its data ("" when absent)."""
    spec = EVENT_SPECS[event_type]
    built = spec.build(data, links)
    return {name: built.get(name, "") for name in spec.placeholders}
