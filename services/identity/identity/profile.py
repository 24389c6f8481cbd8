"""Profile use cases: read, change (with autofill consent), export, delete; officers.

A new phone number or email is not applied by ``update_profile``: a code goes to the new
contact (an OTP challenge, purpose ``contact_change``) and ``verify_contact_change`` applies it
once that code is given back, so only someone who holds the new contact can make it the one
login and password-reset codes go to. The same write publishes ``identity.contact_changed``
so that notify tells the *old* phone or email.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from identity import sessions, stepup, throttles
from identity.bootstrap import SOURCE, Services
from identity.challenges import CHALLENGE_UNKNOWN, issue_challenge, load_challenge, settle
from identity.domain import events
from identity.domain.consent import (
    AUTOFILL,
    PURPOSES,
    Consent,
    active_consent,
    grant,
    iso,
    revoke_all,
)
from identity.domain.email import InvalidEmail, mask_email, normalise_email
from identity.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    OtpRejected,
    ValidationFailed,
)
from identity.domain.names import (
    InvalidName,
    agency_problems,
    normalise_full_name,
    province_problems,
)
from identity.domain.otp import OtpOutcome
from identity.domain.passwords import password_problems
from identity.domain.phone import InvalidPhone, mask_phone, normalise_phone
from servicekit.events import new_event

RETRY = "Hồ sơ vừa được cập nhật ở nơi khác. Vui lòng tải lại và thử lại."
PASSWORD_FOR_CONTACT = "Vui lòng nhập mật khẩu hiện tại để đổi số điện thoại hoặc email."
CONTACT_TAKEN = "Số điện thoại hoặc email này đã được dùng cho một tài khoản khác."
WRONG_PASSWORD = "Mật khẩu không đúng."
ONE_CONTACT_AT_A_TIME = (
    "Mỗi lần chỉ đổi được một thông tin liên hệ. Vui lòng đổi và xác nhận số điện thoại "
    "(hoặc email) trước, sau đó đổi thông tin còn lại."
)
CONTACT_CHANGE = "contact_change"  # OTP purpose: the code goes to the new phone or email
CONTACT_CHANNELS = {"phone": "sms", "email": "email"}
CODE_SENT = {
    "phone": "Mã xác thực đã được gửi tới số điện thoại mới {to}. Số điện thoại chỉ được "
    "thay đổi sau khi bạn nhập đúng mã.",
    "email": "Mã xác thực đã được gửi tới địa chỉ email mới {to}. Email chỉ được thay đổi "
    "sau khi bạn nhập đúng mã.",
}


@dataclass(frozen=True)
class UpdateProfile:
    user_id: str
    changes: dict[str, Any]  # full_name, phone, email, otp_channel, autofill_consent


@dataclass(frozen=True)
class VerifyContactChange:
    user_id: str
    challenge_id: str
    code: str


@dataclass(frozen=True)
class DeleteAccount:
    user_id: str
    password: str


@dataclass(frozen=True)
class ChangePassword:
    user_id: str
    current_password: str
    new_password: str


@dataclass(frozen=True)
class CreateStaff:
    full_name: str
    email: str
    role: str = "officer"  # officer | admin
    phone: str | None = None
    agency: str | None = None
    province: str | None = None
    password: str | None = None  # generated when not given
    created_by: str | None = None


def _consents(user: dict) -> list[Consent]:
    return [Consent(**record) for record in (user.get("consents") or {}).values()]


def _live_user(svc: Services, user_id: str) -> dict:
    user = svc.repo.get_user(user_id)
    if user is None or user.get("status") != "active":
        raise NotFound("Không tìm thấy tài khoản.")
    return user


def profile_view(svc: Services, user: dict) -> dict:
    clear = svc.vault.open(user.get("pii") or {})
    consents = sorted(_consents(user), key=lambda c: c.granted_at, reverse=True)
    autofill = active_consent(consents, AUTOFILL, svc.consent_text_version)
    return {
        "id": user["_id"],
        "role": user["role"],
        "full_name": clear.get("full_name"),
        "cccd": clear.get("cccd"),
        "date_of_birth": clear.get("date_of_birth"),
        "phone": clear.get("phone"),
        "email": clear.get("email"),
        "agency": user.get("agency"),
        "province": user.get("province"),
        "otp_channel": user.get("otp_channel"),
        "totp_enabled": bool(user.get("totp")),
        "autofill_consent": autofill is not None,
        "consents": [c.to_dict() for c in consents],
        "created_at": user["created_at"],
    }


def get_profile(svc: Services, user_id: str) -> dict:
    return profile_view(svc, _live_user(svc, user_id))


def _contact_changes(changes: dict, errors: dict) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, normalise, invalid in (
        ("full_name", normalise_full_name, InvalidName),
        ("phone", normalise_phone, InvalidPhone),
        ("email", normalise_email, InvalidEmail),
    ):
        if changes.get(name) is not None:
            try:
                clean[name] = normalise(changes[name])
            except invalid as exc:
                errors.setdefault(name, []).append(str(exc))
    return clean


def update_profile(svc: Services, cmd: UpdateProfile) -> dict:
    """Change the name, OTP channel or autofill consent at once (publishes profile_updated).

    A new phone or email (one per request) needs the current password (``current_password``:
    a stolen session alone must not redirect the account's codes), is checked — format, not
    another account's — and only a code is sent to it: the answer is then the challenge
    (``challenge_id``, ``channel``, masked ``destination``, ``expires_in``, ``message``)
    instead of the profile. A value equal
    to the current one is no change.
    """
    now = svc.clock.now()
    user = _live_user(svc, cmd.user_id)
    errors: dict[str, list[str]] = {}
    current = svc.vault.open(user.get("pii") or {})
    clean = {
        name: value
        for name, value in _contact_changes(cmd.changes, errors).items()
        if value != current.get(name)
    }
    contact = {name: clean.pop(name) for name in CONTACT_CHANNELS if name in clean}
    if len(contact) > 1:
        errors.setdefault("email", []).append(ONE_CONTACT_AT_A_TIME)
    update: dict[str, dict] = {"$set": {"updated_at": iso(now)}}
    changed = list(clean)
    if cmd.changes.get("otp_channel") is not None:
        update["$set"]["otp_channel"] = cmd.changes["otp_channel"]
        changed.append("otp_channel")
    consent_change = cmd.changes.get("autofill_consent")
    if consent_change is not None:
        _apply_consent(svc, user, consent_change, now, update, errors)
        changed.append("autofill_consent")
    if contact and not cmd.changes.get("current_password"):
        errors.setdefault("current_password", []).append(PASSWORD_FOR_CONTACT)
    if errors:
        raise ValidationFailed("Thông tin cập nhật chưa hợp lệ.", errors)
    pending = None
    if contact:
        # Step-up: a stolen session alone must not move the account's OTPs elsewhere.
        if not throttles.step_up_password(svc, user, cmd.changes["current_password"]):
            raise AuthenticationFailed(WRONG_PASSWORD, {"current_password": [WRONG_PASSWORD]})
        [(name, value)] = contact.items()
        _ensure_contact_free(svc, user["_id"], name, value)
        # First, as it may be refused (send quota): then nothing else has been applied.
        pending = _start_contact_change(svc, user["_id"], name, value)
    if changed or not pending:
        _save_changes(svc, user, clean, update, changed, now)
    return pending or get_profile(svc, user["_id"])


def verify_contact_change(svc: Services, cmd: VerifyContactChange) -> dict:
    """Apply the phone or email a ``contact_change`` challenge was sent to, once its code is
    given back by the same signed-in user (tries, expiry and resends as for every code)."""
    now = svc.clock.now()
    challenge = load_challenge(svc, cmd.challenge_id, CONTACT_CHANGE)
    if challenge.subject_id != cmd.user_id:  # another user's challenge: as if unknown
        raise OtpRejected(CHALLENGE_UNKNOWN, {"code": [CHALLENGE_UNKNOWN]})
    payload = challenge.payload
    outcome = challenge.verify(cmd.code, now, svc.otp_hasher, svc.otp_policy)
    if outcome is OtpOutcome.OK:
        challenge.payload = {}  # a used challenge keeps no contact (read above)
    settle(svc, challenge, outcome)
    user = _live_user(svc, cmd.user_id)
    name = payload["field"]
    clean = {name: svc.cipher.decrypt("otp_to", payload["to"])}
    notice = _contact_changed(svc, user, name, clean[name], now)
    try:
        _ensure_contact_free(svc, user["_id"], name, clean[name])
        _save_changes(
            svc, user, clean, {"$set": {"updated_at": iso(now)}}, [name], now, also=notice
        )
    except Conflict:
        svc.repo.audit("contact_change", "conflict", now, user_id=user["_id"], field=name)
        raise
    svc.repo.audit("contact_change", "completed", now, user_id=user["_id"], field=name)
    return get_profile(svc, user["_id"])


def _mask(name: str, value: str) -> str:
    return mask_phone(value) if name == "phone" else mask_email(value)


def _contact_changed(svc: Services, user: dict, name: str, new: str, now: datetime) -> list[dict]:
    """``identity.contact_changed`` for the old phone/email, written with the change itself
    (same update, same aggregate version as its ``profile_updated``): notify tells the old
    contact, so a change its owner did not make is noticed. Nothing when there was no old
    one (a staff account adding a phone)."""
    old = svc.vault.open(user.get("pii") or {}).get(name)
    if not old or old == new:
        return []
    data = events.contact_changed(
        user_id=user["_id"],
        field=name,
        old_destination=old,
        new_destination_masked=_mask(name, new),
        changed_at=iso(now),
    )
    event = new_event(
        events.CONTACT_CHANGED,
        data,
        source=SOURCE,
        aggregate_id=user["_id"],
        aggregate_version=user["version"] + 1,
        tenant=svc.tenant,
    )
    return [event]


def _ensure_contact_free(svc: Services, user_id: str, name: str, value: str) -> None:
    other = svc.repo.find_user_by_hashes({name: svc.vault.lookup(name, value)})
    if other is not None and other["_id"] != user_id:
        raise Conflict(CONTACT_TAKEN, {name: [CONTACT_TAKEN]})


def _start_contact_change(svc: Services, user_id: str, name: str, value: str) -> dict:
    now = svc.clock.now()
    challenge = issue_challenge(
        svc,
        purpose=CONTACT_CHANGE,
        channel=CONTACT_CHANNELS[name],
        destination=value,
        subject_id=user_id,
        payload={"field": name},
    )
    svc.repo.audit(
        "contact_change", "started", now, user_id=user_id, field=name, challenge_id=challenge.id
    )
    masked = _mask(name, value)
    return {
        "challenge_id": challenge.id,
        "channel": challenge.channel,
        "destination": masked,
        "expires_in": challenge.expires_in(now),
        "message": CODE_SENT[name].format(to=masked),
    }


def _save_changes(
    svc: Services,
    user: dict,
    clean: dict,
    update: dict,
    changed: list[str],
    now: datetime,
    also: list[dict] | None = None,
) -> None:
    """Write ``update`` plus the sealed ``clean`` fields, with ``identity.profile_updated``
    (and the events in ``also``, in the same write)."""
    sealed, hashes = svc.vault.seal(clean)
    update["$set"].update({f"pii.{name}": value for name, value in sealed.items()})
    update["$set"].update(hashes)
    current = {**svc.vault.open(user["pii"]), **clean}
    granted = _autofill_after(user, update, svc.consent_text_version)
    data = events.profile_updated(
        user_id=user["_id"],
        changed=changed,
        autofill_consent=granted,
        contact={k: current.get(k) for k in ("full_name", "phone", "email")},
        autofill={k: current.get(k) for k in ("cccd", "date_of_birth")},
        verified_identity=current if user.get("role") == "citizen" else None,
    )
    event = new_event(
        events.PROFILE_UPDATED,
        data,
        source=SOURCE,
        aggregate_id=user["_id"],
        aggregate_version=user["version"] + 1,
        tenant=svc.tenant,
    )
    try:
        saved = svc.repo.update_user(user["_id"], user["version"], update, [event, *(also or [])])
    except DuplicateKeyError as exc:  # taken between the check and the write
        taken = {name: [CONTACT_TAKEN] for name in clean if name in CONTACT_CHANNELS}
        raise Conflict(CONTACT_TAKEN, taken) from exc
    if not saved:
        raise Conflict(RETRY)
    svc.repo.audit("profile_update", "success", now, user_id=user["_id"], fields=changed)


def _apply_consent(
    svc: Services, user: dict, change: dict, now: datetime, update: dict, errors: dict
) -> None:
    """Grant (explicitly, for the text version shown) or revoke the autofill consent."""
    consents = _consents(user)
    if change.get("granted"):
        version = change.get("text_version")
        if version != svc.consent_text_version:
            errors["autofill_consent"] = [
                "Nội dung đồng ý đã thay đổi, vui lòng đọc lại và xác nhận phiên bản mới."
            ]
            return
        if active_consent(consents, AUTOFILL, version) is None:
            record = grant(AUTOFILL, version, now)
            update["$set"][f"consents.{record.id}"] = record.to_dict()
    else:
        for record in revoke_all(consents, AUTOFILL, now):
            update["$set"][f"consents.{record.id}.revoked_at"] = record.revoked_at


def _autofill_after(user: dict, update: dict, version: str) -> bool:
    consents = {cid: dict(c) for cid, c in (user.get("consents") or {}).items()}
    for key, value in update["$set"].items():
        if key.startswith("consents."):
            parts = key.split(".")
            if len(parts) == 2:
                consents[parts[1]] = value
            else:
                consents.setdefault(parts[1], {})[parts[2]] = value
    records = [Consent(**c) for c in consents.values()]
    return active_consent(records, AUTOFILL, version) is not None


def consent_text(svc: Services) -> dict:
    return {
        "purpose": AUTOFILL,
        "text_version": svc.consent_text_version,
        "text": PURPOSES[AUTOFILL],
    }


def export_profile(svc: Services, user_id: str) -> dict:
    """Everything identity holds about the user, readable (data-subject access right)."""
    user = _live_user(svc, user_id)
    sessions = [
        {
            "id": f["_id"],
            "created_at": f["created_at"],
            "expires_at": f["expires_at"],
            "revoked_at": f.get("revoked_at"),
            "revoke_reason": f.get("revoke_reason"),
        }
        for f in svc.repo.list_families(user_id)
    ]
    audit = [
        {
            k: iso(v) if isinstance(v, datetime) else v
            for k, v in entry.items()
            if k not in ("_id", "user_id")
        }
        for entry in svc.repo.audit_for_user(user_id)
    ]
    svc.repo.audit("profile_export", "success", svc.clock.now(), user_id=user_id)
    return {
        "exported_at": iso(svc.clock.now()),
        "profile": profile_view(svc, user),
        "second_factor": {
            "totp_enabled": bool(user.get("totp")),
            "recovery_codes_left": len((user.get("totp") or {}).get("recovery", [])),
        },
        "sessions": sessions,
        "activity": audit,
    }


def delete_account(svc: Services, cmd: DeleteAccount) -> None:
    """Erase personal data (keeping an anonymous tombstone for audit), end every session,
    and tell other services with ``identity.user_deleted``."""
    now = svc.clock.now()
    user = _live_user(svc, cmd.user_id)
    if not throttles.step_up_password(svc, user, cmd.password):
        raise AuthenticationFailed(WRONG_PASSWORD, {"password": [WRONG_PASSWORD]})
    erase = {
        name: ""
        for name in (
            "pii",
            "cccd_hash",
            "phone_hash",
            "email_hash",
            "password_hash",
            "totp",
            "totp_pending",
            "otp_channel",
        )
    }
    update = {
        "$set": {
            "status": "deleted",
            "deleted_at": iso(now),
            "updated_at": iso(now),
            "consents": {},
        },
        "$unset": erase,
    }
    data = events.user_deleted(user_id=user["_id"], mode="erase")
    event = new_event(
        events.USER_DELETED,
        data,
        source=SOURCE,
        aggregate_id=user["_id"],
        aggregate_version=user["version"] + 1,
        tenant=svc.tenant,
    )
    if not svc.repo.update_user(user["_id"], user["version"], update, [event]):
        raise Conflict(RETRY)
    sessions.end_all_sessions(svc, user["_id"], "account_deleted")
    svc.repo.audit("account_delete", "success", now, user_id=user["_id"])


def change_password(svc: Services, cmd: ChangePassword) -> None:
    """New password (strength rules apply); every session is ended, the caller's too (its
    access tokens at once: the deny-list), the owner is told; the caller signs in again.

    Staff accounts start with a password an admin has seen: this is how they make it theirs.
    """
    now = svc.clock.now()
    user = _live_user(svc, cmd.user_id)
    if not throttles.step_up_password(svc, user, cmd.current_password):
        raise AuthenticationFailed(WRONG_PASSWORD, {"current_password": [WRONG_PASSWORD]})
    clear = svc.vault.open(user.get("pii") or {})
    personal = (
        clear.get("cccd", ""),
        clear.get("phone", "")[3:],
        clear.get("email", "").split("@")[0],
    )
    problems = password_problems(cmd.new_password, personal)
    if cmd.new_password == cmd.current_password:
        problems.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
    if problems:
        raise ValidationFailed("Mật khẩu mới chưa đạt yêu cầu.", {"new_password": problems})
    update = {
        "$set": {
            "password_hash": svc.passwords.hash(cmd.new_password),
            "password_changed_at": iso(now),
            "updated_at": iso(now),
        }
    }
    notice = stepup.alert(svc, user, events.PASSWORD_CHANGED)
    if not svc.repo.update_user(user["_id"], user["version"], update, [notice]):
        raise Conflict(RETRY)
    sessions.end_all_sessions(svc, user["_id"], "password_changed")
    svc.repo.audit("password_change", "success", now, user_id=user["_id"])


def create_staff(svc: Services, cmd: CreateStaff) -> dict:
    """An officer (bound to an agency and province) or an admin. TOTP is enrolled at the
    first login. Returns the initial password once when it was generated."""
    now = svc.clock.now()
    errors: dict[str, list[str]] = {}
    clean = _contact_changes(
        {"full_name": cmd.full_name, "email": cmd.email, "phone": cmd.phone}, errors
    )
    if cmd.role not in ("officer", "admin"):
        errors["role"] = ["Vai trò chỉ có thể là officer hoặc admin."]
    if cmd.role == "officer":
        errors.update(
            {
                k: v
                for k, v in (
                    ("agency", agency_problems(cmd.agency or "")),
                    ("province", province_problems(cmd.province or "")),
                )
                if v
            }
        )
    password = cmd.password or _generated_password()
    problems = password_problems(password, (clean.get("email", "").split("@")[0],))
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationFailed("Thông tin cán bộ chưa hợp lệ.", errors)
    sealed, hashes = svc.vault.seal(clean)
    user_id = uuid.uuid4().hex
    user = {
        "_id": user_id,
        "role": cmd.role,
        "status": "active",
        "pii": sealed,
        **hashes,
        "password_hash": svc.passwords.hash(password),
        "otp_channel": "email",
        "agency": cmd.agency if cmd.role == "officer" else None,
        "province": cmd.province if cmd.role == "officer" else None,
        "consents": {},
        "created_at": now,
        "updated_at": iso(now),
        "version": 1,
        "created_by": cmd.created_by,
    }
    data = events.user_registered(
        user_id=user_id,
        full_name=clean["full_name"],
        phone=clean.get("phone"),
        email=clean["email"],
        role=cmd.role,
    )
    event = new_event(
        events.USER_REGISTERED,
        data,
        source=SOURCE,
        aggregate_id=user_id,
        aggregate_version=1,
        tenant=cmd.province,
    )
    try:
        svc.repo.insert_user(user, [event])
    except DuplicateKeyError as exc:
        raise Conflict(CONTACT_TAKEN) from exc
    svc.repo.audit(
        "staff_create", "success", now, user_id=user_id, by=cmd.created_by, role=cmd.role
    )
    result = {
        "id": user_id,
        "role": cmd.role,
        "agency": user["agency"],
        "province": user["province"],
    }
    if cmd.password is None:
        result["initial_password"] = password
    return result


def _generated_password() -> str:
    # 4 groups from a mixed alphabet: always passes the strength rules.
    return "-".join(secrets.token_urlsafe(6) for _ in range(3)) + "-Aa1"
