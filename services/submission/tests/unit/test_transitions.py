import pytest

from submission.domain.errors import IllegalTransition, InvalidInput, NotPermitted
from submission.domain.status import Status
from submission.domain.transitions import TRANSITIONS, check_transition

VALID_INPUTS = {
    "reason": "Lý do", "missing_items": ["Giấy chứng sinh"], "amount": 20000,
    "receipt_number": "BL-1", "result": "Đã cấp", "return_method": "counter",
    "new_due_at": "2026-03-20",
}

LEGAL = {(a, s) for a, t in TRANSITIONS.items() for s in t.from_statuses}


def test_status_codes_follow_the_national_portal():
    assert [s.code for s in Status] == list(range(11))
    assert Status.SUPPLEMENT_REQUESTED.label == "Yêu cầu bổ sung giấy tờ"


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_every_action_from_every_status(action, status):
    t = TRANSITIONS[action]
    if (action, status) in LEGAL:
        assert check_transition(action, t.role, status, VALID_INPUTS) is t
    else:
        with pytest.raises(IllegalTransition) as exc:
            check_transition(action, t.role, status, VALID_INPUTS)
        assert status.label in exc.value.message


def test_table_matches_the_contract():
    expected = {
        "submit": ({Status.DRAFT}, Status.SUBMITTED, "citizen"),
        "accept": ({Status.SUBMITTED}, Status.ACCEPTED, "officer"),
        "not_accept": ({Status.SUBMITTED}, Status.NOT_ACCEPTED, "officer"),
        "start_processing": ({Status.ACCEPTED}, Status.PROCESSING, "officer"),
        "complete": ({Status.PROCESSING}, Status.COMPLETED, "officer"),
        "return": ({Status.COMPLETED}, Status.RETURNED, "officer"),
        "record_payment": ({Status.PAYMENT_REQUESTED}, Status.PROCESSING, "officer"),
    }
    for action, (sources, target, role) in expected.items():
        t = TRANSITIONS[action]
        assert (set(t.from_statuses), t.to_status, t.role) == (sources, target, role)
    assert TRANSITIONS["withdraw"].role == "citizen"
    assert Status.DRAFT not in TRANSITIONS["withdraw"].from_statuses
    assert TRANSITIONS["resubmit"].from_statuses == {Status.SUPPLEMENT_REQUESTED}


def test_final_statuses_allow_nothing():
    for status in (Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED):
        assert not [a for a, t in TRANSITIONS.items() if status in t.from_statuses]


def test_wrong_role_is_not_permitted():
    with pytest.raises(NotPermitted):
        check_transition("accept", "citizen", Status.SUBMITTED, {})
    with pytest.raises(NotPermitted):
        check_transition("withdraw", "officer", Status.SUBMITTED, {})


@pytest.mark.parametrize("action,field", [
    ("not_accept", "reason"), ("stop", "reason"), ("request_supplement", "missing_items"),
    ("request_payment", "amount"), ("record_payment", "receipt_number"),
    ("complete", "result"), ("return", "return_method"), ("extend", "new_due_at"),
    ("extend", "reason"),
])
def test_required_inputs(action, field):
    t = TRANSITIONS[action]
    status = next(iter(t.from_statuses))
    inputs = {k: v for k, v in VALID_INPUTS.items() if k != field}
    with pytest.raises(InvalidInput) as exc:
        check_transition(action, t.role, status, inputs)
    assert list(exc.value.errors) == [field]


def test_unknown_action_is_invalid_input():
    with pytest.raises(InvalidInput):
        check_transition("approve_all", "officer", Status.SUBMITTED, {})
