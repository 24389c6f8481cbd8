"""Event types identity publishes and the data each carries (the contracts in code).

``identity.otp_requested`` is the only message that carries a clear one-time code; it goes
to notify, which must never store or log it.
"""

from __future__ import annotations

OTP_REQUESTED = "identity.otp_requested"
USER_REGISTERED = "identity.user_registered"
PROFILE_UPDATED = "identity.profile_updated"
USER_DELETED = "identity.user_deleted"
CONTACT_CHANGED = "identity.contact_changed"
SECURITY_ALERT = "identity.security_alert"


def otp_requested(
    *,
    challenge_id: str,
    purpose: str,
    channel: str,
    destination: str,
    code: str,
    expires_in: int,
    user_id: str | None = None,
) -> dict:
    """``destination`` is the phone (E.164) or email address for ``channel`` (sms|email);
    ``purpose`` is register | login | reset_password | contact_change (a new contact's code
    goes to that new phone or email) | totp_enable | totp_remove (the step-up before a second
    factor changes)."""
    return {
        "challenge_id": challenge_id,
        "purpose": purpose,
        "channel": channel,
        "destination": destination,
        "code": code,
        "expires_in": expires_in,
        "user_id": user_id,
    }


def user_registered(
    *,
    user_id: str,
    full_name: str,
    phone: str | None,
    email: str | None,
    role: str = "citizen",
    verified_identity: dict | None = None,
) -> dict:
    data = {
        "user_id": user_id,
        "role": role,
        "full_name": full_name,
        "phone": phone,
        "email": email,
    }
    return _with_verified_identity(data, verified_identity)


def _with_verified_identity(data: dict, identity: dict | None) -> dict:
    """A citizen's account identity (``cccd, full_name, date_of_birth``), whatever the autofill
    consent: submission binds the applicant of the citizen's own dossiers to it (filing in
    someone else's name is a proxy filing). A legal necessity of filing, not autofill; other
    consumers ignore it."""
    if identity and identity.get("cccd"):
        data["verified_identity"] = {
            k: identity.get(k) for k in ("cccd", "full_name", "date_of_birth")
        }
    return data


def profile_updated(
    *,
    user_id: str,
    changed: list[str],
    contact: dict,
    autofill_consent: bool,
    autofill: dict | None = None,
    verified_identity: dict | None = None,
) -> dict:
    """``contact`` (full_name, phone, email) lets notify keep its copy. Only while the citizen
    consents to autofill does the event also carry ``cccd`` and ``date_of_birth`` (``autofill``)
    for submission to pre-fill forms; an event without consent tells it to drop its copy."""
    data = {
        "user_id": user_id,
        "changed": sorted(changed),
        **contact,
        "autofill_consent": autofill_consent,
    }
    if autofill_consent and autofill:
        data.update(autofill)
    return _with_verified_identity(data, verified_identity)


def user_deleted(*, user_id: str, mode: str) -> dict:
    """Other services erase or anonymise what they keep about ``user_id``."""
    return {"user_id": user_id, "mode": mode}


def contact_changed(
    *,
    user_id: str,
    field: str,
    old_destination: str,
    new_destination_masked: str,
    changed_at: str,
) -> dict:
    """A verified new phone or email replaced ``old_destination`` (clear: notify tells that
    old phone or email, so an unexpected change is noticed). ``field`` is phone | email;
    ``changed_at`` is ISO-8601 UTC. Sealed at rest in identity's outbox like every event."""
    return {
        "user_id": user_id,
        "field": field,
        "old_destination": old_destination,
        "new_destination_masked": new_destination_masked,
        "changed_at": changed_at,
    }


# What changed on the account (notify words each kind for the owner). No code, password or
# clear identifier ever goes into the event.
TOTP_ENABLED = "totp_enabled"
TOTP_REMOVED = "totp_removed"
SESSIONS_REVOKED = "sessions_revoked"
PASSWORD_CHANGED = "password_changed"
ACCOUNT_RECOVERED = "account_recovered"  # a reset through the contact removed the TOTP
SECOND_FACTOR_LOCKED = "second_factor_locked"
PASSWORD_GUESSING = "password_guessing"


def security_alert(*, user_id: str, kind: str, at: str) -> dict:
    """Tell the owner (every current contact, whatever their preferences) that ``kind``
    happened at ``at`` (ISO-8601 UTC)."""
    return {"user_id": user_id, "kind": kind, "at": at}
