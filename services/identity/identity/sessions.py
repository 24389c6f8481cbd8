"""Sessions: access token + refresh-token family; rotation with reuse detection; logout."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class RefreshTokens:
    refresh_token: str


@dataclass(frozen=True)
class Logout:
    refresh_token: str


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
        "access_token": svc.access_tokens.issue(user, now),
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
        svc.repo.revoke_family(family.id, now, "reuse_detected")
        svc.repo.audit(
            "token_refresh", "reuse_detected", now, user_id=family.user_id, family_id=family.id
        )
    if decision is not RefreshDecision.ROTATE:
        raise AuthenticationFailed(REFRESH_REFUSED_MESSAGE)
    user = svc.repo.get_user(family.user_id)
    if user is None or user.get("status") != "active":
        svc.repo.revoke_family(family.id, now, "user_gone")
        raise AuthenticationFailed(REFRESH_REFUSED_MESSAGE)
    return _tokens(svc, user, family)


def logout(svc: Services, cmd: Logout) -> None:
    """End the session the refresh token belongs to; unknown tokens are ignored."""
    now = svc.clock.now()
    token = svc.repo.get_refresh_token(hash_refresh_token(cmd.refresh_token))
    if token is not None:
        svc.repo.revoke_family(token.family_id, now, "logout")
        svc.repo.audit("logout", "success", now, user_id=token.user_id)
