"""Finding 5 (issue 20): personal data in clear at rest. identity sealed CCCD, phone, email and
date of birth, but submission kept them in clear for every dossier (applicant, applicant CCCD,
the form's personal fields — the parents' numbers too) and notify kept a clear contact copy
and every delivery's recipient.

The attack is the one a stolen disk or backup allows: a person registers, files a birth
registration naming both parents, notify delivers the notices — then every store file of the
running platform (nx-27017's SQLite files under the stack's ``var/``, the outbox documents on
the aggregates included) is searched for the person's identifiers and the parents' numbers.
None may be there in clear, while officers, the receipt and the notices still show the right
values.
"""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pypdf
import pytest
from attack_support import Actors
from pymongo import MongoClient

from infra.local import journeys
from servicekit.testing import wait_until


def _fill(field: dict, person: journeys.Person, parents: dict[str, str]) -> object:
    if field["name"] in parents:
        return parents[field["name"]]
    if field.get("prefill") == "date_of_birth":
        return person.date_of_birth
    return journeys.fill_value(field, person)


@pytest.fixture(scope="module")
def filed(stack, actors: Actors):
    """A new citizen's submitted birth registration naming both parents, notified."""
    api = journeys.Api(actors.base)
    person, citizen = journeys.citizen(api)
    mother, father = journeys.Person.random(), journeys.Person.random()
    parents = {"me_so_dinh_danh": mother.cccd, "cha_so_dinh_danh": father.cccd}
    draft = citizen.json("POST", "/api/submission/dossiers", expect=(201,), json={
        "procedure_code": journeys.BIRTH_REGISTRATION, "agency_code": actors.agency})
    fields = draft["eform"]["fields"]
    assert set(parents) <= {f["name"] for f in fields}, "the seeded form names both parents"
    citizen.json("PATCH", f"/api/submission/dossiers/{draft['id']}",
                 json={"form": {f["name"]: _fill(f, person, parents) for f in fields}})
    for component in draft["components"]:
        if component.get("required"):
            citizen.call("POST", f"/api/submission/dossiers/{draft['id']}/attachments",
                         data={"document_type": component["code"]}, expect=(201,),
                         files={"file": ("giay-to.pdf", journeys.PDF, "application/pdf")})
    asked = time.time()
    submitted = citizen.json("POST", f"/api/submission/dossiers/{draft['id']}/submit")
    journeys.wait_visible(actors.base, submitted["code"], token=actors.officer.token)

    def notices():
        messages = api.json("GET", "/api/notify/dev/messages",
                            params={"to": person.email})["messages"]
        return [m for m in messages if submitted["code"] in (m.get("subject") or "")
                + m["body"] and journeys._epoch(m["sent_at"]) >= asked - 1]

    notice = wait_until(notices, timeout=20, message="the submission notice by email")
    return {"person": person, "citizen": citizen, "parents": parents, "id": draft["id"],
            "code": submitted["code"], "notice": notice[0]}


def _secrets(filed) -> dict[str, str]:
    person = filed["person"]
    day = person.date_of_birth.split("-")
    return {
        "CCCD": person.cccd,
        "phone (national)": person.phone,
        "phone (international)": "+84" + person.phone[1:],
        "email": person.email,
        "date of birth": person.date_of_birth,
        "date of birth (dd/mm/yyyy)": f"{day[2]}/{day[1]}/{day[0]}",
        "mother's CCCD": filed["parents"]["me_so_dinh_danh"],
        "father's CCCD": filed["parents"]["cha_so_dinh_danh"],
    }


def _store_files(stack) -> list[Path]:
    """nx-27017's SQLite files (and their journals) under the stack's var/."""
    files = [p for p in (Path(stack.var) / "mongo").rglob("*")
             if p.is_file() and not p.name.endswith((".pid", ".log"))]
    assert sum(p.stat().st_size for p in files) > 0, files
    return files


def test_no_identifier_is_in_clear_in_any_store_file(stack, filed):
    found = []
    for path in _store_files(stack):
        raw = path.read_bytes()
        found += [f"{name} in {path.name}" for name, value in _secrets(filed).items()
                  if value.encode() in raw]
    assert found == []


def test_no_identifier_is_in_clear_in_any_document_outboxes_included(stack, filed):
    client = MongoClient(stack.mongo_url, tz_aware=True)
    try:
        found = []
        for name in client.list_database_names():
            db = client[name]
            for collection in db.list_collection_names():
                text = json.dumps(list(db[collection].find({})), ensure_ascii=False,
                                  default=str)
                found += [f"{secret} in {name}.{collection}"
                          for secret, value in _secrets(filed).items() if value in text]
    finally:
        client.close()
    assert found == []


def test_officers_receipts_and_notices_still_show_the_right_values(actors: Actors, filed):
    person = filed["person"]
    seen = actors.officer.json("GET", f"/api/submission/dossiers/{filed['id']}")
    assert seen["applicant"]["cccd"] == person.cccd
    assert seen["applicant"]["full_name"] == person.full_name
    assert seen["applicant"]["date_of_birth"] == person.date_of_birth
    for name, number in filed["parents"].items():
        assert seen["form"][name] == number
    queue = actors.officer.json("GET", "/api/submission/officer/dossiers",
                                params={"per_page": 100})
    assert person.full_name in {d["applicant_name"] for d in queue["items"]
                                if d["code"] == filed["code"]}
    receipt = filed["citizen"].call("GET", f"/api/submission/dossiers/{filed['id']}/receipt.pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(receipt.content)).pages)
    assert person.full_name in text and filed["code"] in text
    assert filed["notice"]["to"] == person.email
    sms = actors.api.json("GET", "/api/notify/dev/messages", params={"to": person.phone})
    assert any(filed["code"] in m["body"] for m in sms["messages"])
