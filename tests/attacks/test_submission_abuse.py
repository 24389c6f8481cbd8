"""Issue 20, submission's findings, attacked through the gateway of one running platform:

1. filing in someone else's name (and what a legitimate proxy filing looks like);
4. the officer queue listing citizens' private drafts with ``status=draft``;
9. rewriting a received dossier during a supplement request;
14. uploads checked by magic number only (polyglot, XXE/script XML, zip bomb).
"""
from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest

from infra.local import journeys
from servicekit.testing import files
from servicekit.testing.helpers import wait_until

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attack_support import error_shape  # noqa: E402

BIRTH = journeys.BIRTH_REGISTRATION
PDF_COMPONENT, DOCX_COMPONENT, XML_COMPONENT = "tp-4", "tp-7", "tp-8"  # of the seeded BIRTH


def identity(person: journeys.Person) -> dict[str, str]:
    return {"cccd": person.cccd, "full_name": person.full_name,
            "date_of_birth": person.date_of_birth}


def detail(api: journeys.Api, dossier_id: str) -> dict:
    return api.json("GET", f"/api/submission/dossiers/{dossier_id}")


def new_draft(actors) -> dict:
    return actors.citizen_a.json("POST", "/api/submission/dossiers", expect=(201,), json={
        "procedure_code": BIRTH, "agency_code": actors.agency})


def filled_form(draft: dict, person: journeys.Person) -> dict:
    return {f["name"]: journeys.fill_value(f, person)
            for f in (draft.get("eform") or {}).get("fields") or []}


def attach(api: journeys.Api, dossier_id: str, component: str, name: str, content: bytes,
           expect=(201,)):
    return api.call("POST", f"/api/submission/dossiers/{dossier_id}/attachments", expect=expect,
                    data={"document_type": component},
                    files={"file": (name, content, "application/octet-stream")})


def attach_required(api: journeys.Api, dossier: dict, skip: tuple[str, ...] = ()) -> None:
    for component in dossier["components"]:
        if component.get("required") and component["code"] not in skip:
            attach(api, dossier["id"], component["code"], "giay-to.pdf", journeys.PDF)


def stored_objects(stack, dossier_id: str) -> list[str]:
    env = stack.service_env()
    s3 = boto3.client("s3", endpoint_url=env["S3_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id="motcua-dev", aws_secret_access_key="motcua-dev-secret")
    listed = s3.list_objects_v2(Bucket="motcua-submission", Prefix=f"dossiers/{dossier_id}/")
    return [o["Key"] for o in listed.get("Contents") or []]


# ---- 1. filing in someone else's name --------------------------------------------------------
def test_a_citizen_cannot_produce_a_dossier_in_another_persons_name(actors):
    victim = actors.person_b
    draft = new_draft(actors)
    form = filled_form(draft, victim)  # the victim's name, CCCD, birth date in the form
    path = f"/api/submission/dossiers/{draft['id']}"
    refused = actors.citizen_a.call("PATCH", path, expect=(422,),
                                    json={"form": form, "applicant": identity(victim)})
    body = error_shape(refused)
    assert {"applicant.cccd", "applicant.full_name", "applicant.date_of_birth"} <= \
        set(body["errors"]), body
    assert detail(actors.citizen_a, draft["id"])["version"] == draft["version"]
    # the form's own identity fields do not name the applicant either
    actors.citizen_a.json("PATCH", path, json={"form": form})
    attach_required(actors.citizen_a, detail(actors.citizen_a, draft["id"]))
    submitted = actors.citizen_a.json("POST", f"{path}/submit")
    assert submitted["applicant_name"] == actors.person_a.full_name
    seen = detail(actors.officer, draft["id"])
    assert {k: seen["applicant"][k] for k in ("cccd", "full_name", "date_of_birth")} == \
        identity(actors.person_a)
    assert seen["filer"] == identity(actors.person_a) and seen["proxy_filing"] is False
    form_identity = {f["name"]: f["prefill"] for f in seen["eform"]["fields"]
                     if f.get("prefill") in ("cccd", "full_name", "date_of_birth")}
    assert {k: seen["form"][name] for name, k in form_identity.items()} == \
        {k: identity(actors.person_a)[k] for k in form_identity.values()}
    assert victim.cccd not in repr(seen["applicant"])  # (the form may name parents: fine)


def test_a_proxy_filing_names_both_and_requires_the_authorisation(actors):
    principal = actors.person_b
    draft = new_draft(actors)
    path = f"/api/submission/dossiers/{draft['id']}"
    proxied = actors.citizen_a.json("PATCH", path, json={
        "form": filled_form(draft, actors.person_a), "filed_for": identity(principal)})
    assert proxied["proxy_filing"] is True and proxied["filer"] == identity(actors.person_a)
    # the procedure's optional "Văn bản ủy quyền" component is now required
    [authorisation] = [c for c in proxied["components"] if c.get("authorisation")]
    assert authorisation["required"] is True and "ủy quyền" in authorisation["name"].lower()
    attach_required(actors.citizen_a, proxied, skip=(authorisation["code"],))
    missing = actors.citizen_a.call("POST", f"{path}/submit", expect=(422,))
    assert f"components.{authorisation['code']}" in error_shape(missing)["errors"]
    attach(actors.citizen_a, draft["id"], authorisation["code"], "giay-uy-quyen.pdf",
           journeys.PDF)
    submitted = actors.citizen_a.json("POST", f"{path}/submit")
    assert submitted["applicant_name"] == principal.full_name  # indexed under the principal
    seen = detail(actors.officer, draft["id"])
    assert seen["applicant"]["cccd"] == principal.cccd
    assert seen["filer"] == identity(actors.person_a)  # officers see who really filed
    queue = actors.officer.json("GET", "/api/submission/officer/dossiers",
                                params={"status": "submitted", "per_page": 100})
    [item] = [i for i in queue["items"] if i["id"] == draft["id"]]
    assert item["proxy_filing"] is True and item["filer_name"] == actors.person_a.full_name
    # tracking got it (signed in: the anonymous lookup's small budget is other tests')
    timeline = f"/api/tracking/dossiers/{submitted['code']}/timeline"
    wait_until(lambda: actors.officer.call("GET", timeline, expect=()).status_code == 200,
               timeout=20, message="the proxy dossier in tracking")


# ---- 4. the officer queue and drafts ---------------------------------------------------------
def test_the_officer_queue_never_lists_drafts(actors):
    deleted = new_draft(actors)
    actors.citizen_a.call("DELETE", f"/api/submission/dossiers/{deleted['id']}")
    drafts = {actors.draft_id, deleted["id"]}
    response = actors.officer.call("GET", "/api/submission/officer/dossiers",
                                   params={"status": "draft", "per_page": 100}, expect=())
    assert response.status_code == 400, response.text
    assert "status" in error_shape(response)["errors"]
    for params in ({}, {"overdue": "false"}, {"overdue": "true"}, {"status": "submitted"}):
        listed = actors.officer.json("GET", "/api/submission/officer/dossiers",
                                     params={**params, "per_page": 100})
        assert not drafts & {d["id"] for d in listed["items"]}, params
        assert all(d["status"] != "draft" for d in listed["items"]), params


# ---- 9. supplement requests --------------------------------------------------------------------
def received_then_supplement(actors, **listed) -> dict:
    """A's dossier, received, then the officer asks for more (``listed``: fields/documents)."""
    draft_id = journeys.prepare_draft(actors.citizen_a, actors.person_a, BIRTH, actors.agency)
    submitted = actors.citizen_a.json("POST", f"/api/submission/dossiers/{draft_id}/submit")
    actors.officer.json("POST", f"/api/submission/dossiers/{draft_id}/actions", json={
        "action": "request_supplement", "reason": "Nơi cư trú ghi chưa đủ.",
        "missing_items": ["Nơi cư trú đầy đủ", "Giấy chứng sinh rõ nét"], **listed})
    return {**detail(actors.citizen_a, draft_id), "code": submitted["code"]}


@pytest.mark.parametrize("change", ["applicant", "unlisted_field", "proxy"])
def test_during_a_supplement_the_applicant_or_an_unlisted_field_cannot_be_rewritten(
        actors, change):
    waiting = received_then_supplement(actors)  # as the portal asks: nothing listed
    victim = actors.person_b
    body = {
        "applicant": {"applicant": identity(victim)},
        "unlisted_field": {"form": {**waiting["form"], "tre_ho_ten": "Trần Văn Khác"}},
        "proxy": {"filed_for": identity(victim)},
    }[change]
    response = actors.citizen_a.call("PATCH", f"/api/submission/dossiers/{waiting['id']}",
                                     json=body, expect=())
    assert response.status_code in (409, 422), response.text
    error_shape(response)
    after = detail(actors.citizen_a, waiting["id"])
    assert after["version"] == waiting["version"] and after["history"] == waiting["history"]
    assert after["form"] == waiting["form"] and after["applicant"] == waiting["applicant"]


def test_a_listed_field_and_a_new_attachment_are_recorded_with_the_diff(actors):
    waiting = received_then_supplement(actors, fields=["noi_cu_tru"],
                                       documents=[PDF_COMPONENT])
    path = f"/api/submission/dossiers/{waiting['id']}"
    address = "Số 12 Lê Lợi, phường Sài Gòn, TP. Hồ Chí Minh"
    changed = actors.citizen_a.json("PATCH", path, json={
        "form": {**waiting["form"], "noi_cu_tru": address}, "applicant": waiting["applicant"]})
    entry = changed["history"][-1]
    assert entry["action"] == "supplement_change"
    assert entry["details"]["version"] == changed["version"]
    assert entry["details"]["changed_fields"] == ["noi_cu_tru"]
    assert entry["details"]["form_before"] == {"noi_cu_tru": waiting["form"]["noi_cu_tru"]}
    assert entry["details"]["form_after"] == {"noi_cu_tru": address}
    unlisted = attach(actors.citizen_a, waiting["id"], XML_COMPONENT, "du-lieu.xml",
                      files.minimal_xml(), expect=(422,))
    assert "document_type" in error_shape(unlisted)["errors"]
    attach(actors.citizen_a, waiting["id"], PDF_COMPONENT, "giay-chung-sinh-ro.pdf",
           journeys.PDF)
    history = detail(actors.citizen_a, waiting["id"])["history"]
    assert history[-1]["details"]["added_documents"] == [PDF_COMPONENT]
    # both changes were published: tracking's timeline shows them
    def published() -> list:
        timeline = actors.officer.json(
            "GET", f"/api/tracking/dossiers/{waiting['code']}/timeline")["timeline"]
        return [e for e in timeline if e["type"] == "dossier.supplement_changed"]

    wait_until(lambda: len(published()) == 2, timeout=20, message="two supplement changes")
    actors.citizen_a.json("POST", f"{path}/actions", json={"action": "resubmit"})
    assert detail(actors.citizen_a, waiting["id"])["status"] == "submitted"


# ---- 14. uploads checked by structure --------------------------------------------------------
@pytest.mark.parametrize("component,name,content", [
    (PDF_COMPONENT, "giay-chung-sinh.pdf", files.pdf_html_polyglot()),
    (XML_COMPONENT, "du-lieu.xml", files.xml_with_external_entity()),
    (XML_COMPONENT, "du-lieu.xml", files.xml_with_script()),
    (DOCX_COMPONENT, "to-khai.docx", files.zip_bomb_docx(100 * files.MB)),
], ids=["pdf-html-polyglot", "xml-external-entity", "xml-script", "zip-bomb-docx"])
def test_hostile_uploads_are_refused_and_nothing_is_stored(actors, stack, component, name,
                                                           content):
    draft = new_draft(actors)
    response = attach(actors.citizen_a, draft["id"], component, name, content, expect=())
    assert 400 <= response.status_code < 500, response.text
    error_shape(response)
    assert detail(actors.citizen_a, draft["id"])["attachments"] == []
    assert stored_objects(stack, draft["id"]) == []
