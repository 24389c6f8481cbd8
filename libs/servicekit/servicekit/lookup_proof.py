"""Proof that whoever looks dossiers up by a CCCD is that person (identity issues, tracking
checks).

Listing someone's dossiers by CCCD reveals marriages, divorces, deaths in the family: an
anonymous caller must first prove they are the person. Identity sends a one-time code to the
phone or email on record for the CCCD and, for the right code, signs a *lookup proof*: a
short-lived JWT with identity's usual keys but its own audience (:data:`AUDIENCE`), so no
service accepts it as an access token and tracking accepts nothing else as a proof. The
caller sends it in the :data:`HEADER` header with ``GET /api/tracking/lookup?cccd=``.

The proof names the CCCD only as a digest salted with the token id: the holder knows the
number (they send it with the lookup); a proof seen elsewhere does not print it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from servicekit.auth import TokenVerifier
from servicekit.config import ServiceSettings

AUDIENCE = "motcua-lookup-proof"
SCOPE = "tracking:lookup_cccd"
HEADER = "X-Lookup-Proof"


def cccd_digest(token_id: str, cccd: str) -> str:
    return hashlib.sha256(f"motcua-lookup-proof\x00{token_id}\x00{cccd}".encode()).hexdigest()


def proof_claims(*, cccd: str, issuer: str, now: datetime, ttl: timedelta,
                 challenge_id: str) -> dict[str, Any]:
    """The claims identity signs once the code sent for ``cccd`` was given back."""
    token_id = uuid.uuid4().hex
    return {
        "sub": f"lookup-proof:{challenge_id}",
        # Every token names a session (the verifiers' deny-list); a proof's is its challenge,
        # which no sign-out ends: it lives PROOF_TTL and is bound to one CCCD.
        "sid": f"lookup-proof:{challenge_id}",
        # servicekit's verifier wants a platform role; the audience is what keeps a proof
        # from ever being taken for an access token.
        "role": "citizen",
        "scope": SCOPE,
        "cccd_digest": cccd_digest(token_id, cccd),
        "iss": issuer,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": token_id,
    }


def verifier(settings: ServiceSettings) -> TokenVerifier:
    """servicekit's verifier against identity's JWKS, for proofs only (their audience)."""
    return TokenVerifier(settings.jwks_url, issuer=settings.jwt_issuer, audience=AUDIENCE,
                         cache_seconds=settings.jwks_cache_seconds)


def proves(claims: dict[str, Any], cccd: str) -> bool:
    """Whether verified proof ``claims`` were issued for ``cccd``."""
    return claims.get("scope") == SCOPE and bool(claims.get("jti")) and \
        claims.get("cccd_digest") == cccd_digest(str(claims["jti"]), cccd)
