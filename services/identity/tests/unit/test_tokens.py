from datetime import UTC, datetime, timedelta

from identity.domain.tokens import (
    RefreshDecision,
    RefreshPolicy,
    RefreshToken,
    TokenFamily,
    decide_refresh,
    hash_refresh_token,
)

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = RefreshPolicy()


def fresh():
    family = TokenFamily.start("user-1", T0, POLICY)
    token, clear = RefreshToken.mint(family, T0, POLICY)
    return family, token, clear


def test_token_is_opaque_and_stored_hashed():
    _, token, clear = fresh()
    assert len(clear) >= 43
    assert token.hash == hash_refresh_token(clear) and clear not in token.hash


def test_unused_token_rotates():
    family, token, _ = fresh()
    assert decide_refresh(token, family, T0 + timedelta(hours=1)) is RefreshDecision.ROTATE


def test_spent_token_is_reuse():
    family, token, _ = fresh()
    token.used_at = T0 + timedelta(minutes=1)
    assert (
        decide_refresh(token, family, T0 + timedelta(minutes=2)) is RefreshDecision.REUSE_DETECTED
    )


def test_revoked_family_refuses_everything():
    family, token, _ = fresh()
    family.revoke(T0, "logout")
    assert decide_refresh(token, family, T0) is RefreshDecision.REVOKED
    family.revoke(T0 + timedelta(hours=1), "other")
    assert family.revoke_reason == "logout"


def test_token_expires_idle_and_family_expires_absolutely():
    family, token, _ = fresh()
    assert decide_refresh(token, family, T0 + timedelta(days=7)) is RefreshDecision.EXPIRED
    late = T0 + timedelta(days=29, hours=23)
    last, _ = RefreshToken.mint(family, late, POLICY)
    assert last.expires_at == family.expires_at
    assert decide_refresh(last, family, T0 + timedelta(days=30)) is RefreshDecision.EXPIRED


def test_unknown_token():
    assert decide_refresh(None, None, T0) is RefreshDecision.UNKNOWN
