"""The applicant's identity is the verified account's; filing for someone else is a proxy
filing naming both (issue 20, finding 1)."""
from datetime import datetime

import pytest

from submission.domain import binding
from submission.domain.calendar import VN_TZ
from submission.domain.errors import IllegalTransition, InvalidInput
from submission.domain.model import Actor, submission_problems

CITIZEN = Actor(id="u-1", role="citizen")
VERIFIED = {"cccd": "079203001234", "full_name": "Nguyễn Văn An", "date_of_birth": "2003-04-05"}
OTHER = {"cccd": "001190004321", "full_name": "Trần Thị Bình", "date_of_birth": "1990-07-08"}


def at(hh=9):
    return datetime(2026, 3, 2, hh, tzinfo=VN_TZ)


@pytest.fixture
def draft(new_dossier):
    return new_dossier(applicant={"phone": "0912345678"}, form_data={})


def test_the_applicant_and_the_forms_identity_fields_are_the_verified_account(draft):
    draft.applicant = {**OTHER, "phone": "0912345678"}
    draft.form_data = {"ho_ten": "Trần Thị Bình", "so_dinh_danh": OTHER["cccd"],
                       "ngay_sinh": OTHER["date_of_birth"], "ghi_chu": "x"}
    binding.bind(draft, VERIFIED)
    assert draft.applicant == {**VERIFIED, "phone": "0912345678"}
    assert draft.form_data == {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": VERIFIED["cccd"],
                               "ngay_sinh": VERIFIED["date_of_birth"], "ghi_chu": "x"}
    assert draft.effective_applicant["cccd"] == VERIFIED["cccd"]


def test_while_the_identity_is_unknown_nothing_typed_counts(draft):
    draft.applicant = {**OTHER}
    draft.form_data = {"ho_ten": "Trần Thị Bình"}
    binding.bind(draft, None)
    assert draft.applicant == {} and draft.form_data == {}


@pytest.mark.parametrize("given", [{"cccd": OTHER["cccd"]}, {"full_name": "Trần Thị Bình"},
                                   {"date_of_birth": "1990-07-08"}])
def test_naming_someone_else_as_applicant_is_refused(given):
    with pytest.raises(InvalidInput) as caught:
        binding.check_applicant_input(given, VERIFIED)
    [field] = caught.value.errors
    assert field == f"applicant.{next(iter(given))}"
    assert "nộp thay" in caught.value.message


def test_the_same_identity_or_contacts_only_pass():
    binding.check_applicant_input({**VERIFIED, "phone": "0987654321"}, VERIFIED)
    binding.check_applicant_input({"email": "an@example.vn"}, VERIFIED)
    binding.check_applicant_input(None, VERIFIED)


def test_a_proxy_filing_names_both_and_needs_the_authorisation(draft):
    binding.file_for(draft, OTHER, VERIFIED)
    binding.bind(draft, VERIFIED)
    assert binding.is_proxy(draft)
    assert binding.identity_of(draft.applicant) == OTHER  # indexed under the person it is for
    assert draft.filer == VERIFIED  # who really filed
    assert draft.form_data["so_dinh_danh"] == OTHER["cccd"]
    # the procedure's own optional "Văn bản ủy quyền" component becomes required
    [authorisation] = [c for c in draft.components if c.get("authorisation")]
    assert authorisation["code"] == "uy_quyen" and authorisation["required"] is True
    assert "components.uy_quyen" in submission_problems(draft)
    draft.add_attachment({"id": "a", "component": "uy_quyen", "size": 1}, at())
    assert "components.uy_quyen" not in submission_problems(draft)


def test_the_submitted_proxy_dossier_tells_whom_it_is_for(draft):
    binding.file_for(draft, OTHER, VERIFIED)
    binding.bind(draft, VERIFIED)
    draft.submit(CITIZEN, "000.00.31.H29-260302-0001", at())
    [(_, data)] = draft.collect_events()
    assert data["applicant_cccd"] == OTHER["cccd"] and data["applicant_name"] == OTHER["full_name"]
    assert data["applicant_id"] == CITIZEN.id and data["proxy_filing"] is True
    assert "filer" not in data  # the filer's identity stays with submission (officers see it)


def test_without_an_authorisation_component_one_is_added(new_dossier):
    procedure = dict(new_dossier().procedure)
    procedure["components"] = [c for c in procedure["components"] if c["code"] != "uy_quyen"]
    draft = new_dossier(procedure=procedure)
    binding.file_for(draft, OTHER, VERIFIED)
    [authorisation] = [c for c in draft.components if c.get("authorisation")]
    assert authorisation["code"] == "giay_uy_quyen" and authorisation["required"] is True
    assert "components.giay_uy_quyen" in submission_problems(draft)


@pytest.mark.parametrize("name", ["Văn bản uỷ quyền (được chứng thực)", "Giấy ủy quyền",
                                  "VĂN BẢN ỦY QUYỀN"])
def test_a_procedures_authorisation_component_is_recognised(name):
    assert binding.is_authorisation({"code": "tp-2", "name": name})
    assert not binding.is_authorisation({"code": "tp-3", "name": "Giấy chứng sinh"})


def test_the_identity_of_a_proxy_applicant_is_read_only_too(draft):
    binding.file_for(draft, OTHER, VERIFIED)
    with pytest.raises(InvalidInput):
        binding.check_applicant_input({"cccd": "048085000777"},
                                      binding.bound_identity(draft, VERIFIED))


def test_filing_for_oneself_is_not_a_proxy_filing(draft):
    with pytest.raises(InvalidInput) as caught:
        binding.file_for(draft, {**VERIFIED, "full_name": "Nguyễn Văn Ân"}, VERIFIED)
    assert "filed_for.cccd" in caught.value.errors


def test_a_proxy_needs_a_consistent_identity(draft):
    with pytest.raises(InvalidInput) as caught:
        binding.file_for(draft, {**OTHER, "date_of_birth": "1991-07-08"}, VERIFIED)
    assert "filed_for.cccd" in caught.value.errors  # year of birth disagrees with the CCCD
    with pytest.raises(InvalidInput):
        binding.file_for(draft, {"cccd": OTHER["cccd"]}, VERIFIED)


def test_back_to_ones_own_filing(draft):
    binding.file_for(draft, OTHER, VERIFIED)
    binding.file_for(draft, None, VERIFIED)
    binding.bind(draft, VERIFIED)
    assert not binding.is_proxy(draft) and binding.identity_of(draft.applicant) == VERIFIED
    assert not any(c.get("authorisation") or c.get("required") and c["code"] == "uy_quyen"
                   for c in draft.components)


def test_proxy_only_while_drafting(new_dossier):
    submitted = new_dossier()
    submitted.submit(CITIZEN, "000.00.31.H29-260302-0002", at())
    with pytest.raises(IllegalTransition):
        binding.file_for(submitted, OTHER, VERIFIED)


def test_a_received_dossier_keeps_the_identity_it_was_received_with(new_dossier):
    submitted = new_dossier(applicant=dict(VERIFIED))
    submitted.submit(CITIZEN, "000.00.31.H29-260302-0003", at())
    renamed = {**VERIFIED, "full_name": "Nguyễn Văn Ân"}  # the account was renamed since
    assert binding.bound_identity(submitted, renamed) == VERIFIED
    binding.bind(submitted, renamed)
    assert submitted.applicant["full_name"] == "Nguyễn Văn An"
