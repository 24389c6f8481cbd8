"""Sessions: access token + refresh-token family; rotation with reuse detection; logout.

A session is a refresh-token family; its access tokens carry its id (``sid``). Ending a session
revokes the family (no refresh any more) and lists its id in the shared deny-list
(:mod:`servicekit.revocation`) for the access-token lifetime, so the access tokens it already
issued stop working at once at the gateway and in every service. Identity's own verifier reads
the families themselves (:class:`SessionRecord`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity import throttles
from identity.bootstrap import Services
from identity.domain.errors import AuthenticationFailed
from identity.domain.tokens import (
    REFRESH_REFUSED_MESSAGE,
    RefreshDecision,
    RefreshToken,
    TokenFamily,
    decide_refresh,
    hash_refresh_token,
)
from identity.repository import Repository
from servicekit.revocation import RevocationUnavailable

log = logging.getLogger(__name__)
# Listed this much longer than an access token lives: covers a token minted by a refresh that
# raced the revocation.
DENY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class RefreshTokens:
    refresh_token: str


@dataclass(frozen=True)
class Logout:
    refresh_token: str
    session_id: str | None = None  # the caller's access token's session, when it sent one


class SessionRecord:
    """The deny-list question answered from identity's own families (``is_revoked(sid)``)."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo

    def is_revoked(self, sid: str) -> bool:
        return self._repo.is_session_ended(sid)


def _deny(svc: Services, session_ids: list[str]) -> None:
    """List ended sessions; when Redis is down the worker's re-sync writes them later."""
    try:
        seconds = int(deny_window(svc.access_tokens.ttl).total_seconds())
        svc.revocations.revoke(session_ids, seconds)
    except RevocationUnavailable:
        log.error("ended sessions not yet on the deny-list (Redis down); the worker retries")


def end_session(svc: Services, family_id: str, reason: str) -> None:
    svc.repo.revoke_family(family_id, svc.clock.now(), reason)
    _deny(svc, [family_id])


def end_all_sessions(svc: Services, user_id: str, reason: str, keep: str | None = None) -> int:
    """End every session of the user (but ``keep``, the caller's own); returns how many."""
    ended = svc.repo.revoke_user_families(user_id, svc.clock.now(), reason, keep=keep)
    _deny(svc, ended)
    return len(ended)


def deny_window(access_token_ttl: timedelta) -> timedelta:
    return access_token_ttl + DENY_MARGIN


def resync_deny_list(repo: Repository, revocations, window: timedelta, now: datetime) -> int:
    """Write again the sessions ended within ``window`` (an access-token lifetime and the
    margin), each for the time it has left: entries lost by Redis (a restart, an outage during
    a sign-out) come back. Raises ``RevocationUnavailable`` while Redis is down."""
    count = 0
    for family_id, revoked_at in repo.families_revoked_since(now - window):
        left = int((revoked_at + window - now).total_seconds())
        if left > 0:
            revocations.revoke([family_id], left)
            count += 1
    return count


def issue_session(svc: Services, user: dict) -> dict:
    now = svc.clock.now()
    family = TokenFamily.start(user["_id"], now, svc.refresh)
    svc.repo.insert_family(family)
    return _tokens(svc, user, family)


def _tokens(svc: Services, user: dict, family: TokenFamily) -> dict:
    now = svc.clock.now()
    refresh, clear = RefreshToken.mint(family, now, svc.refresh)
    svc.repo.insert_refresh_token(refresh)
    return {
        "access_token": svc.access_tokens.issue(user, now, family.id),
        "refresh_token": clear,
        "token_type": "Bearer",
        "expires_in": int(svc.access_tokens.ttl.total_seconds()),
    }


def refresh_tokens(svc: Services, cmd: RefreshTokens) -> dict:
    """Rotate: spend the presented token, mint the next. A spent token revokes the family.

    Rotations are limited per family (``throttles.charge_refresh``: 429, the token kept)."""
    now = svc.clock.now()
    token = svc.repo.get_refresh_token(hash_refresh_token(cmd.refresh_token))
    family = svc.repo.get_family(token.family_id) if token else None
    decision = decide_refresh(token, family, now)
    if decision is RefreshDecision.ROTATE:
        throttles.charge_refresh(svc, family.id)
    if decision is RefreshDecision.ROTATE and not svc.repo.spend_refresh_token(token.hash, now):
        decision = RefreshDecision.REUSE_DETECTED  # spent by a concurrent request
    if decision is RefreshDecision.REUSE_DETECTED:
        end_session(svc, family.id, "reuse_detected")
        svc.repo.audit(
            "token_refresh", "reuse_detected", now, user_id=family.user_id, family_id=family.id
        )
    if decision is not RefreshDecision.ROTATE:
        raise AuthenticationFailed(REFRESH_REFUSED_MESSAGE)
    user = svc.repo.get_user(family.user_id)
    if user is None or user.get("status") != "active":
        end_session(svc, family.id, "user_gone")
        raise AuthenticationFailed(REFRESH_REFUSED_MESSAGE)
    return _tokens(svc, user, family)


def logout(svc: Services, cmd: Logout) -> None:
    """End the session the refresh token belongs to (unknown tokens are ignored) and the one
    of the access token the caller signed the request with."""
    now = svc.clock.now()
    token = svc.repo.get_refresh_token(hash_refresh_token(cmd.refresh_token))
    if token is not None:
        end_session(svc, token.family_id, "logout")
        svc.repo.audit("logout", "success", now, user_id=token.user_id)
    if cmd.session_id and (token is None or token.family_id != cmd.session_id):
        end_session(svc, cmd.session_id, "logout")
