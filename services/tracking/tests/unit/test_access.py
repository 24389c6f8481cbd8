from tracking.domain.access import is_staff, may_see_in_full

VIEW = {"agency_code": "000.00.31.H29", "applicant_id": "owner-1"}


def test_owner_officer_of_the_agency_and_admin_see_the_full_record():
    assert may_see_in_full(VIEW, {"sub": "owner-1", "role": "citizen"})
    assert may_see_in_full(VIEW, {"sub": "o", "role": "officer", "agency": "000.00.31.H29"})
    assert may_see_in_full(VIEW, {"sub": "a", "role": "admin"})


def test_everyone_else_does_not():
    assert not may_see_in_full(VIEW, None)
    assert not may_see_in_full(VIEW, {"sub": "someone", "role": "citizen"})
    assert not may_see_in_full(VIEW, {"sub": "o", "role": "officer", "agency": "000.00.32.H29"})
    assert not may_see_in_full(VIEW, {"sub": "o", "role": "officer"})
    assert not may_see_in_full({"agency_code": None, "applicant_id": None},
                               {"sub": None, "role": "citizen"})


def test_staff_roles():
    assert is_staff({"role": "officer"}) and is_staff({"role": "admin"})
    assert not is_staff({"role": "citizen"}) and not is_staff(None)
