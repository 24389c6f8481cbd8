"""`Idempotency-Key` for create, upload and submit: a retry returns the first answer.

The key is scoped to the caller. The first request reserves it (unique `_id`), runs, and
stores its successful answer; a retry with the same key and the same request gets that
answer again and changes nothing. A retry while the first is still running gets 409; the
same key on a different request gets 422. Failed requests release the key so the citizen
can try again.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import jsonify, request

from servicekit.errors import abort
from submission import repository
from submission.bootstrap import Services, utc_now
from submission.domain.model import Actor

HEADER = "Idempotency-Key"
_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}$")


def fingerprint(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def run_idempotent(svc: Services, actor: Actor, print_: str,
                   action: Callable[[], tuple[dict, int]]):
    """Run `action` (returning a JSON-ready body and status) at most once per key."""
    key = request.headers.get(HEADER)
    if key is None:
        body, status = action()
        return _json(body, status)
    if not _KEY_RE.match(key):
        abort(400, "Idempotency-Key phải gồm 8–100 ký tự chữ, số, '-', '_', '.', ':'.",
              errors={HEADER: ["Giá trị không hợp lệ."]})
    key_id = f"{actor.id}:{key}"
    # Wall-clock time, not the service clock: the TTL index expires keys in real time.
    previous = repository.claim_idempotency_key(
        svc.db, key_id, print_, utc_now(), timedelta(hours=svc.settings.idempotency_hours),
        lease=timedelta(seconds=svc.settings.idempotency_lease_seconds), sealer=svc.sealer)
    if previous is not None:
        if previous.get("fingerprint") != print_:
            abort(422, "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
                  errors={HEADER: ["Khóa đã dùng cho yêu cầu khác."]})
        if previous.get("state") != "done":
            abort(409, "Yêu cầu với Idempotency-Key này đang được xử lý. Vui lòng thử lại sau.")
        response = _json(previous["body"], previous["status"])
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        body, status = action()
    except BaseException:
        repository.release_idempotency_key(svc.db, key_id)
        raise
    repository.complete_idempotency_key(svc.db, key_id, status, body, sealer=svc.sealer)
    return _json(body, status)


def _json(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    return response
