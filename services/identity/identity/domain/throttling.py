"""Limits that follow the abuser: which bucket each attempt is charged to, and when a bucket
refuses.

A bucket is a sliding window of recorded hits under a key that names who is limited: one
username form from one client address, one account, one token family, one destination for one
purpose class. The store records the hit *first* and then counts, so racing requests cannot
all slip through; a refused hit is forgotten again, and a hit for an attempt that turned out
fine (a right password, a right code) is forgotten too, so only failures stay counted.

Keys never hold a clear identifier: callers pass keyed hashes (blind index) of usernames,
destinations and client addresses, and opaque ids of accounts and token families.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SIGN_IN_LOCKED = (
    "Đăng nhập sai nhiều lần nên tạm thời bị khoá trên thiết bị này. Vui lòng thử lại sau "
    "hoặc dùng chức năng Quên mật khẩu."
)
STEP_UP_LOCKED = "Bạn đã nhập sai mật khẩu nhiều lần, vui lòng thử lại sau."
SECOND_FACTOR_LOCKED = (
    "Xác thực hai lớp của tài khoản tạm thời bị khoá do nhập sai mã nhiều lần. Vui lòng thử "
    "lại sau."
)
REFRESH_LIMITED = "Phiên đăng nhập được làm mới quá nhiều lần, vui lòng thử lại sau."
SENDS_LIMITED = "Đã gửi quá số lần cho phép trong một giờ, vui lòng thử lại sau."

# OTP purposes whose refusals must not be told: a password reset is asked anonymously for any
# username, so "quota full" would say which CCCD owns which phone. A refused reset send gets the
# usual answer and sends nothing.
QUIET_PURPOSES = frozenset({"reset_password"})


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` within any ``window``."""

    max_hits: int
    window: timedelta


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: Limit


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@dataclass(frozen=True)
class ThrottlePolicy:
    # wrong passwords for one username form (CCCD, phone or email as typed, normalised) from
    # one client address: past it, that form from that client waits
    password: Limit = field(default_factory=lambda: Limit(5, _minutes(15)))
    # wrong passwords for one account from every client and every username form: past it, the
    # owner is alerted and only clients that completed a sign-in before (or a password reset,
    # which proves the contact channel) are let in with the password
    password_account: Limit = field(default_factory=lambda: Limit(20, _minutes(15)))
    # wrong passwords in step-up checks of a signed-in account (/me/password, contact change,
    # deletion), all sessions together
    step_up: Limit = field(default_factory=lambda: Limit(5, _minutes(15)))
    # wrong second-factor codes (authenticator, SMS/email code, recovery code) of one account,
    # across every challenge: past it, the second factor is locked and the owner alerted
    second_factor: Limit = field(default_factory=lambda: Limit(10, _minutes(60)))
    # rotations of one refresh-token family
    refresh: Limit = field(default_factory=lambda: Limit(30, _minutes(15)))
    # OTP sends: per destination for register / contact change, per account for login / reset
    sends: Limit = field(default_factory=lambda: Limit(5, _minutes(60)))
    # reset sends to one account from all client addresses together (anti SMS-bombing)
    reset_sends_per_account: Limit = field(default_factory=lambda: Limit(15, _minutes(60)))
    # registration sends (real or decoy) from one client address: high, a ward office or a
    # carrier's NAT may have many people registering
    register_sends_per_client: Limit = field(default_factory=lambda: Limit(1000, _minutes(60)))
    # a client that completed a sign-in stays "known" to the account this long
    known_client_for: timedelta = field(default_factory=lambda: timedelta(days=30))

    @property
    def longest_window(self) -> timedelta:
        limits = (
            self.password,
            self.password_account,
            self.step_up,
            self.second_factor,
            self.refresh,
            self.sends,
            self.reset_sends_per_account,
            self.register_sends_per_client,
        )
        return max(limit.window for limit in limits)


def exceeded(hits: int, limit: Limit) -> bool:
    """``hits`` counts the window's hits including the one just recorded for this attempt."""
    return hits > limit.max_hits


def hits_to_age_out(hits: int, limit: Limit) -> int:
    """How many of the oldest hits must leave the window before one more attempt fits
    (``hits`` includes the refused attempt's own, which is forgotten)."""
    return max(1, hits - limit.max_hits)


def retry_after(oldest: datetime | None, now: datetime, limit: Limit) -> int:
    """Whole seconds until ``oldest`` (the hit that must age out) leaves the window; at least 1."""
    if oldest is None:
        return max(1, math.ceil(limit.window.total_seconds()))
    return max(1, math.ceil((oldest + limit.window - now).total_seconds()))


# -- which buckets -----------------------------------------------------------------------


def password_bucket(name: str, client: str, policy: ThrottlePolicy) -> Bucket:
    """One username form (``name``: its keyed hash) from one client: the owner's own client is
    never charged for someone else's failures, and locking one form says nothing about the
    account's other forms (which phone or email belongs to the CCCD)."""
    return Bucket(f"pw:name:{name}:{client}", policy.password)


def password_account_bucket(account: str, policy: ThrottlePolicy) -> Bucket:
    """Every wrong password of one account (``account``: ``user:<id>``, or ``name:<hash>`` for
    a username no account has, so both cost the same work)."""
    return Bucket(f"pw:account:{account}", policy.password_account)


def step_up_bucket(user_id: str, policy: ThrottlePolicy) -> Bucket:
    return Bucket(f"pw:step-up:{user_id}", policy.step_up)


def second_factor_bucket(user_id: str, policy: ThrottlePolicy) -> Bucket:
    return Bucket(f"2fa:{user_id}", policy.second_factor)


def refresh_bucket(family_id: str, policy: ThrottlePolicy) -> Bucket:
    return Bucket(f"refresh:{family_id}", policy.refresh)


def send_buckets(
    purpose: str,
    *,
    destination: str,
    account: str | None,
    client: str,
    policy: ThrottlePolicy,
) -> list[Bucket]:
    """Where one OTP send is charged, by purpose class (``destination`` and ``client`` are
    keyed hashes; ``account`` the user id the code is for, if any).

    - ``register``: the destination's *registration* bucket and the client's. A decoy
      (registration reusing someone's phone) is charged exactly like a real one, so neither
      tells them apart, and neither touches the sends the phone's owner needs.
    - ``login``: the account (only someone who gave the right password causes it).
    - ``reset_password``: the account from this client, and the account from all clients
      (higher). A username no account has is charged under its destination instead.
    - ``contact_change``: the new destination and the signed-in account.
    - ``lookup_proof``: the CCCD asked about (``destination`` is its keyed hash, known or
      not, so a full quota tells nothing) and the client, so one sender cannot spray codes
      to many people. Never the owner's login or reset buckets.
    """
    limit = policy.sends
    if purpose == "register":
        return [
            Bucket(f"send:register:dest:{destination}", limit),
            Bucket(f"send:register:client:{client}", policy.register_sends_per_client),
        ]
    if purpose == "login":
        return [Bucket(f"send:login:account:{account or destination}", limit)]
    if purpose == "lookup_proof":
        return [
            Bucket(f"send:lookup_proof:cccd:{destination}", limit),
            Bucket(f"send:lookup_proof:client:{client}", policy.register_sends_per_client),
        ]
    if purpose == "reset_password":
        owner = account or f"dest:{destination}"
        return [
            Bucket(f"send:reset:account:{owner}:client:{client}", limit),
            Bucket(f"send:reset:account:{owner}", policy.reset_sends_per_account),
        ]
    return [
        Bucket(f"send:{purpose}:dest:{destination}", limit),
        Bucket(f"send:{purpose}:account:{account or '-'}", limit),
    ]


def is_known_client(
    known_clients: dict[str, str] | None, client: str, now: datetime, policy: ThrottlePolicy
) -> bool:
    """Whether ``client`` completed a sign-in to the account within ``known_client_for``
    (``known_clients`` maps client digests to ISO-8601 UTC times)."""
    seen = (known_clients or {}).get(client)
    if not seen:
        return False
    return datetime.fromisoformat(seen.replace("Z", "+00:00")) >= now - policy.known_client_for
