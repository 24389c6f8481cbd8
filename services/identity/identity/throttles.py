"""Limits that follow the abuser, applied: sign-in passwords, step-up passwords, second
factors, refresh rotations and OTP sends (rules and bucket keys: ``domain.throttling``; the
whole picture: README, "Limits").

Every refusal is :class:`TooManyAttempts` (429 with ``Retry-After`` and a Vietnamese message),
except where an answer would tell something (reset sends: see ``QUIET_PURPOSES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.alerts import raise_alert
from identity.bootstrap import Services
from identity.domain.errors import TooManyAttempts
from identity.domain.throttling import (
    QUIET_PURPOSES,
    REFRESH_LIMITED,
    SECOND_FACTOR_LOCKED,
    SENDS_LIMITED,
    SIGN_IN_LOCKED,
    STEP_UP_LOCKED,
    Bucket,
    exceeded,
    hits_to_age_out,
    is_known_client,
    password_account_bucket,
    password_bucket,
    refresh_bucket,
    retry_after,
    second_factor_bucket,
    send_buckets,
    step_up_bucket,
)


def digest(svc: Services, field: str, value: str) -> str:
    """A keyed hash (the blind index's active key), without its key id: safe in keys and
    document field names."""
    return svc.vault.index.hash(field, value).split(":", 1)[1]


def client_key(svc: Services, ip: str | None) -> str:
    """The client address (``request.remote_addr``, which servicekit takes from
    ``X-Forwarded-For`` only behind trusted proxies), never stored in clear."""
    return digest(svc, "client_address", ip or "-")


def name_key(svc: Services, username_form: tuple[str | None, str]) -> str:
    """A username as classified (``challenges.classify_username``): CCCD, phone, email."""
    kind, value = username_form
    return digest(svc, "login_name", f"{kind}:{value}")


# -- the sliding window ------------------------------------------------------------------


def _wait(svc: Services, bucket: Bucket, hits: int) -> int:
    now = svc.clock.now()
    since = now - bucket.limit.window
    oldest = svc.repo.nth_oldest_hit(bucket.key, since, hits_to_age_out(hits, bucket.limit))
    return retry_after(oldest, now, bucket.limit)


def reserve(svc: Services, bucket: Bucket, message: str) -> str:
    """Record this attempt in ``bucket`` first, then count: past the limit it is forgotten and
    refused. Returns the hit id (forget it when the attempt must not count)."""
    now = svc.clock.now()
    hit = svc.repo.record_hit(bucket.key, now)
    hits = svc.repo.count_hits(bucket.key, now - bucket.limit.window)
    if exceeded(hits, bucket.limit):
        svc.repo.forget_hit(hit)
        raise TooManyAttempts(message, retry_after=_wait(svc, bucket, hits))
    return hit


def reserve_all(svc: Services, buckets: list[Bucket], message: str) -> list[str]:
    """All or nothing: a refusal by one bucket forgets what the others recorded."""
    hits: list[str] = []
    try:
        for bucket in buckets:
            hits.append(reserve(svc, bucket, message))
    except TooManyAttempts:
        for hit in hits:
            svc.repo.forget_hit(hit)
        raise
    return hits


def _locked_for(svc: Services, bucket: Bucket) -> int | None:
    """Seconds until ``bucket`` takes one more attempt, or None when it would take it now."""
    now = svc.clock.now()
    hits = svc.repo.count_hits(bucket.key, now - bucket.limit.window)
    if not exceeded(hits + 1, bucket.limit):
        return None
    return _wait(svc, bucket, hits + 1)


# -- passwords ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInCheck:
    accepted: bool
    client: str
    refused_right_password: bool = False  # right, but the account is guarded and client unknown


def _password_failed(svc: Services, account: Bucket, user: dict | None) -> None:
    """Count a wrong password against the account; past the cap, alert the owner (once per
    window)."""
    now = svc.clock.now()
    svc.repo.record_hit(account.key, now)
    since = now - account.limit.window
    if user is not None and svc.repo.count_hits(account.key, since) >= account.limit.max_hits:
        raise_alert(svc, user["_id"], "password_guessing", once_since=since)


def sign_in_password(
    svc: Services,
    username_form: tuple[str | None, str],
    password: str,
    ip: str | None,
    user: dict | None,
) -> SignInCheck:
    """Check a sign-in password under the limits (unknown usernames take the same steps).

    - one username form from one client: past ``policy.password`` failures, refused with 429
      (after a dummy check) until the oldest failure leaves the window — another client, or
      another form, is not affected, so the owner is not locked out by someone else and the
      refusal says nothing about the account's other identifiers;
    - the account from every client: past ``policy.password_account`` failures it is
      *guarded*: the owner is alerted (``password_guessing``) and a right password is only
      accepted from a client that completed a sign-in before (or a password reset); from any
      other client it gets the wrong-password answer, so guessing learns nothing, while the
      owner gets in by proving the contact channel (password reset).
    """
    now = svc.clock.now()
    policy = svc.throttling
    name = name_key(svc, username_form)
    client = client_key(svc, ip)
    bucket = password_bucket(name, client, policy)
    try:
        reserve(svc, bucket, SIGN_IN_LOCKED)
    except TooManyAttempts:
        svc.passwords.dummy_verify(password)
        raise
    account = password_account_bucket(f"user:{user['_id']}" if user else f"name:{name}", policy)
    failures = svc.repo.count_hits(account.key, now - account.limit.window)
    guarded = failures >= account.limit.max_hits
    if user is None or not user.get("password_hash"):
        svc.passwords.dummy_verify(password)
        right = False
    else:
        right = svc.passwords.verify(user["password_hash"], password)
    known = user is not None and is_known_client(user.get("known_clients"), client, now, policy)
    if right and (known or not guarded):
        svc.repo.clear_hits(bucket.key)  # a success wipes this form's failures from here
        return SignInCheck(True, client)
    _password_failed(svc, account, user)
    return SignInCheck(False, client, refused_right_password=right)


def step_up_password(svc: Services, user: dict, password: str) -> bool:
    """A signed-in account's password re-check (/me/password, contact change, deletion):
    ``policy.step_up`` failures per account (all sessions), then 429; failures also count
    against the account's sign-in cap. True when the password is right."""
    policy = svc.throttling
    hit = reserve(svc, step_up_bucket(user["_id"], policy), STEP_UP_LOCKED)
    if svc.passwords.verify(user.get("password_hash") or "", password):
        svc.repo.forget_hit(hit)
        return True
    _password_failed(svc, password_account_bucket(f"user:{user['_id']}", policy), user)
    return False


def lift_password_limits(svc: Services, user_id: str, forms: list[tuple[str, str]]) -> None:
    """After a password reset (the contact channel was proved): the account is no longer
    guarded, and its username forms are not held back from any client."""
    policy = svc.throttling
    svc.repo.clear_hits(password_account_bucket(f"user:{user_id}", policy).key)
    svc.repo.clear_hits(step_up_bucket(user_id, policy).key)
    for form in forms:
        svc.repo.clear_hits(f"pw:name:{name_key(svc, form)}:")


def remember_client(svc: Services, user_id: str, client: str | None) -> None:
    if client:
        svc.repo.remember_client(user_id, client, svc.clock.now())


# -- second factor -----------------------------------------------------------------------


def ensure_second_factor_open(svc: Services, user_id: str) -> None:
    """429 while the account's second factor is locked (checked before a challenge opens)."""
    wait = _locked_for(svc, second_factor_bucket(user_id, svc.throttling))
    if wait is not None:
        raise TooManyAttempts(SECOND_FACTOR_LOCKED, retry_after=wait)


def open_second_factor(svc: Services, user_id: str) -> str:
    """Reserve one second-factor try of the account (429 when locked): any challenge, any
    method. Settle it with :func:`close_second_factor`."""
    return reserve(svc, second_factor_bucket(user_id, svc.throttling), SECOND_FACTOR_LOCKED)


def close_second_factor(svc: Services, user_id: str, hit: str, failed: bool) -> None:
    """Only a wrong code stays counted; the one that reaches the limit locks the second factor
    and alerts the owner (once per window)."""
    if not failed:
        svc.repo.forget_hit(hit)
        return
    bucket = second_factor_bucket(user_id, svc.throttling)
    now = svc.clock.now()
    since = now - bucket.limit.window
    locked = svc.repo.count_hits(bucket.key, since) >= bucket.limit.max_hits
    if locked and raise_alert(svc, user_id, "second_factor_locked", once_since=since):
        svc.repo.audit("second_factor", "locked", now, user_id=user_id)


# -- refresh and sends -------------------------------------------------------------------


def charge_refresh(svc: Services, family_id: str) -> None:
    reserve(svc, refresh_bucket(family_id, svc.throttling), REFRESH_LIMITED)


def charge_send(
    svc: Services,
    purpose: str,
    *,
    destination_hash: str,
    account: str | None,
    ip: str | None,
) -> bool:
    """Charge one OTP send to its buckets (``domain.throttling.send_buckets``). A refused
    send is a 429, except for quiet purposes: then False (send nothing, answer as usual)."""
    buckets = send_buckets(
        purpose,
        destination=destination_hash,
        account=account,
        client=client_key(svc, ip),
        policy=svc.throttling,
    )
    try:
        reserve_all(svc, buckets, SENDS_LIMITED)
    except TooManyAttempts:
        if purpose not in QUIET_PURPOSES:
            raise
        now = svc.clock.now()
        svc.repo.audit("otp_send", "refused_quietly", now, user_id=account, purpose=purpose)
        return False
    return True
