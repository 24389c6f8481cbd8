"""One-off: tell submission the verified identity of accounts registered before identity's
events carried it (issue 20, finding 1). ``motcua-identity republish-identities``.

For every active citizen, one ``identity.profile_updated`` with no change (``changed: []``)
is written through the sealed outbox like any profile change: it carries the account's
``verified_identity`` and its current autofill consent, so nothing else moves. Safe to run
twice (the newest event wins everywhere).
"""
from __future__ import annotations

from identity.bootstrap import Services
from identity.domain.consent import iso
from identity.domain.errors import Conflict
from identity.profile import _save_changes


def republish_verified_identities(svc: Services) -> int:
    published = 0
    for user_id in svc.repo.active_user_ids("citizen"):
        for _attempt in range(3):  # the user may change their profile meanwhile
            user = svc.repo.get_user(user_id)
            if user is None or user.get("status") != "active":
                break
            now = svc.clock.now()
            try:
                _save_changes(svc, user, {}, {"$set": {"updated_at": iso(now)}}, [], now)
            except Conflict:
                continue
            published += 1
            break
    return published
