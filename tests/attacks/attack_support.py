"""What the attack tests share besides fixtures (a module of its own: every test directory
has a ``conftest``, so importing from one by name is ambiguous)."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from infra.local import journeys

PASSWORD = "Kiem-thu-tan-cong-2026!"
LOOKUP_LIMIT = 10  # anonymous tracking lookups per minute per client address (tracking)


@dataclass
class Actors:
    base: str
    api: journeys.Api
    citizen_a: journeys.Api
    person_a: journeys.Person
    citizen_b: journeys.Api
    person_b: journeys.Person
    officer: journeys.Api          # officer of the agency A's dossier was submitted to
    other_officer: journeys.Api    # officer of an agency of another province
    admin: journeys.Api
    agency: str
    other_agency: str
    dossier: dict                  # A's submitted dossier (id, code, …)
    attachment_id: str
    draft_id: str                  # A's draft (not submitted)

    def headers(self, who: str) -> dict[str, str]:
        client = getattr(self, who) if who != "anonymous" else None
        return {"Authorization": f"Bearer {client.token}"} if client else {}


def error_shape(response: requests.Response) -> dict:
    """The platform's one error shape: {code, status, message} (+ errors)."""
    body = response.json()
    assert {"code", "status", "message"} <= set(body), body
    assert body["code"] == response.status_code, body
    assert isinstance(body["message"], str) and body["message"], body
    return body
