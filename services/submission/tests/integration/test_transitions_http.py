"""Every transition of the table over HTTP: each legal one moves the dossier, each illegal
one is a 409 with the current status named, and nothing changes."""
import pytest

from submission.domain.status import Status
from submission.domain.transitions import TRANSITIONS

INPUTS = {
    "withdraw": {"reason": "Không còn nhu cầu"},
    "not_accept": {"reason": "Hồ sơ không thuộc thẩm quyền"},
    "request_supplement": {"reason": "Thiếu giấy tờ", "missing_items": ["Bản sao CCCD"]},
    "request_payment": {"amount": 10000},
    "record_payment": {"receipt_number": "BL-000123"},
    "stop": {"reason": "Người yêu cầu không bổ sung"},
    "complete": {"result": "Đã cấp Giấy khai sinh"},
    "return": {"return_method": "postal", "tracking_number": "EE123456789VN"},
    "extend": {"new_due_at": "2026-03-10", "reason": "Cần xác minh thêm"},
}

# How to reach each status from a fresh submitted dossier (officer actions, then citizen).
PATHS = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: ["accept"],
    Status.NOT_ACCEPTED: ["not_accept"],
    Status.PROCESSING: ["accept", "start_processing"],
    Status.SUPPLEMENT_REQUESTED: ["accept", "start_processing", "request_supplement"],
    Status.PAYMENT_REQUESTED: ["accept", "start_processing", "request_payment"],
    Status.WITHDRAWN: ["withdraw"],
    Status.STOPPED: ["accept", "start_processing", "stop"],
    Status.COMPLETED: ["accept", "start_processing", "complete"],
    Status.RETURNED: ["accept", "start_processing", "complete", "return"],
}
EXPECTED_TARGET = {"resubmit": Status.PROCESSING}  # back to where the supplement paused it


def headers_for(api, action):
    return api.citizen() if TRANSITIONS[action].role == "citizen" else api.officer()


def run(api, dossier_id, action):
    if action == "submit":
        return api.client.post(f"/dossiers/{dossier_id}/submit", headers=api.citizen())
    return api.act(dossier_id, action, headers=headers_for(api, action), **INPUTS.get(action, {}))


def dossier_in(api, status):
    dossier = api.ready_draft() if status is Status.DRAFT else api.submitted()
    for action in PATHS.get(status, []):
        response = run(api, dossier["id"], action)
        assert response.status_code == 200, (action, response.json)
    current = api.client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    assert current["status"] == status.value
    return current


LEGAL = sorted((a, s.value) for a, t in TRANSITIONS.items() for s in t.from_statuses)


@pytest.mark.parametrize("action,status", LEGAL)
def test_legal_transition(api, action, status):
    dossier = dossier_in(api, Status(status))
    response = run(api, dossier["id"], action)
    assert response.status_code == 200, response.json
    transition = TRANSITIONS[action]
    target = transition.to_status or EXPECTED_TARGET.get(action, Status(status))
    after = api.client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    assert after["status"] == target.value
    assert after["history"][-1]["action"] == action


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_illegal_transitions_from(api, status):
    dossier = dossier_in(api, status)
    illegal = [a for a, t in TRANSITIONS.items() if status not in t.from_statuses]
    assert illegal
    for action in illegal:
        response = run(api, dossier["id"], action)
        if status is Status.DRAFT and TRANSITIONS[action].role == "officer":
            # officers never see drafts at all
            assert response.status_code == 404, action
            continue
        assert response.status_code == 409, (action, response.json)
        assert status.label in response.json["message"]
    after = api.client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    assert after["status"] == status.value
    assert after["version"] == dossier["version"]


def test_missing_reason_is_422_and_changes_nothing(api):
    dossier = api.submitted()
    response = api.act(dossier["id"], "not_accept")
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_unknown_action_is_422(api):
    dossier = api.submitted()
    assert api.act(dossier["id"], "approve_everything").status_code == 422
