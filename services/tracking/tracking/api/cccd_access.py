"""Who may list dossiers by a CCCD, and what they see (issue 20, finding 11).

A CCCD lookup lists a person's dossiers — marriage, divorce, death registrations — so it is
answered only to

- someone who proved to be that person: a *lookup proof* from identity (a code sent to the
  phone or email on record for the CCCD) in the ``X-Lookup-Proof`` header, for this very
  CCCD; they see their dossiers in full;
- a signed-in citizen: only the dossiers they filed themselves under that number (their own
  dossiers, which they can list anyway); anyone else's stay out of the answer;
- staff: every dossier under the number, masked outside their agency as before, limited per
  account (``STAFF_CCCD_LOOKUP_RATE_LIMIT``) and each lookup audited (who, when, the CCCD's
  keyed hash, how many results, or the refusal).

Anyone else gets 401 with how to prove it; a proof for another CCCD gets 403. Lookup by dossier
code stays anonymous.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_limiter import Limiter, RateLimitExceeded

from servicekit import lookup_proof
from servicekit.auth import InvalidToken, TokenVerifier
from servicekit.errors import abort
from tracking import repository
from tracking.api.limits import EXTENSION as LIMITER
from tracking.domain.access import is_staff

VERIFIER = "tracking_lookup_proof_verifier"

PROOF_NEEDED = (
    "Tra cứu theo số định danh cá nhân chỉ dành cho chính chủ. Vui lòng đăng nhập, hoặc xác "
    "minh bằng mã OTP gửi tới số điện thoại/email đã đăng ký với số định danh này (trang Tra "
    "cứu hồ sơ; qua API: POST /api/identity/lookup-proof rồi /lookup-proof/verify, gửi mã "
    "xác minh trong tiêu đề X-Lookup-Proof). Tra cứu theo mã hồ sơ không cần xác minh.")
PROOF_INVALID = ("Mã xác minh tra cứu không hợp lệ hoặc đã hết hạn. Vui lòng xác minh lại "
                 "bằng mã OTP.")
PROOF_OTHER_CCCD = "Mã xác minh này được cấp cho một số định danh cá nhân khác."


@dataclass(frozen=True)
class CccdAccess:
    """What a CCCD lookup may return: every dossier, or only the caller's own (``owner``);
    ``proven`` callers see them in full."""

    owner: str | None = None
    proven: bool = False
    staff: bool = False

    def admits(self, view: dict[str, Any]) -> bool:
        return self.owner is None or view.get("applicant_id") == self.owner


def init_lookup_proofs(app, settings) -> None:
    app.extensions[VERIFIER] = lookup_proof.verifier(settings)


def cccd_access(claims: dict[str, Any] | None, cccd: str, proof_token: str | None
                ) -> CccdAccess:
    """Decide (or refuse) a lookup of ``cccd`` by the caller; see the module docstring."""
    if is_staff(claims):
        return CccdAccess(staff=True)
    token = (proof_token or "").strip()
    if token:
        verifier: TokenVerifier = current_app.extensions[VERIFIER]
        try:
            proof = verifier.verify(token)
        except InvalidToken:
            abort(401, PROOF_INVALID, headers={"WWW-Authenticate": "LookupProof"})
        if not lookup_proof.proves(proof, cccd):
            abort(403, PROOF_OTHER_CCCD)
        return CccdAccess(proven=True)
    if claims:
        return CccdAccess(owner=claims["sub"])
    abort(401, PROOF_NEEDED, headers={"WWW-Authenticate": "LookupProof"})
    raise AssertionError("unreachable")


def _audit(claims: dict[str, Any], cccd_hash: str, outcome: str, results: int = 0) -> None:
    repository.record_access(current_app.extensions["db"], {
        "action": "lookup_cccd", "cccd_hash": cccd_hash, "outcome": outcome,
        "results": results, "actor_id": claims.get("sub"), "actor_role": claims.get("role"),
        "actor_agency": claims.get("agency"), "at": datetime.now(UTC)})


def limit_staff_lookup(claims: dict[str, Any], cccd_hash: str) -> None:
    """Count a staff CCCD lookup against the account's limit; over it: audited, then 429."""
    settings = current_app.extensions["settings"]
    limiter: Limiter = current_app.extensions[LIMITER]
    subject = f"staff:{claims['sub']}"
    try:
        with limiter.limit(settings.staff_cccd_lookup_rate_limit, key_func=lambda: subject,
                           scope="staff-cccd-lookup"):
            pass
    except RateLimitExceeded:
        _audit(claims, cccd_hash, "rate_limited")
        raise


def audit_staff_lookup(claims: dict[str, Any], cccd_hash: str, results: int) -> None:
    _audit(claims, cccd_hash, "found" if results else "not_found", results)
